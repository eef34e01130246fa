// Client-side routes (the service answers each of these paths with the app's index.html).
import { disposeCharts } from "./charts";
import { clear } from "./dom";

export interface ViewContext {
  root: HTMLElement;
  params: string[];
  query: URLSearchParams;
  /** False once the user has moved on: an answer arriving late must not draw. */
  alive(): boolean;
}
export type View = (ctx: ViewContext) => Promise<void> | void;

interface Route {
  pattern: RegExp;
  view: View;
  section: string;
}

const routes: Route[] = [];
let generation = 0;
let onRender: (section: string) => void = () => {};

export function route(pattern: RegExp, section: string, view: View): void {
  routes.push({ pattern, view, section });
}

export function onRouteRender(callback: (section: string) => void): void {
  onRender = callback;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  void render();
}

/** Change the query string of the current view (its filters) and draw it again. */
export function setQuery(changes: Record<string, string | null>, replace = false): void {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "") query.delete(key);
    else query.set(key, value);
  }
  const search = query.toString();
  navigate(location.pathname + (search ? `?${search}` : ""), replace);
}

export async function render(): Promise<void> {
  const root = document.getElementById("view");
  if (!root) return;
  const mine = ++generation;
  disposeCharts();
  clear(root);
  const path = decodeURI(location.pathname).replace(/\/+$/, "") || "/";
  for (const { pattern, view, section } of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    onRender(section);
    root.dataset.view = section;
    root.removeAttribute("data-ready");
    const ctx: ViewContext = {
      root,
      params: match.slice(1).map((p) => decodeURIComponent(p)),
      query: new URLSearchParams(location.search),
      alive: () => mine === generation,
    };
    await view(ctx);
    if (ctx.alive()) {
      root.dataset.ready = "true"; // the browser tests wait for this
      performance.mark("cg-ready");
    }
    return;
  }
  navigate("/map", true);
}

export function startRouter(): void {
  window.addEventListener("popstate", () => void render());
  document.addEventListener("click", (event) => {
    const target = (event.target as Element | null)?.closest("a[data-link]");
    if (!target || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate((target as HTMLAnchorElement).getAttribute("href") ?? "/");
  });
  void render();
}
