// Shared pieces of the views: states (loading, empty, error), cards, badges, names.
import { ApiError, download, gql } from "./api";
import { h, link, type Child } from "./dom";
import { nm, tr } from "./i18n";

export function loading(): HTMLElement {
  return h("p", { class: "state loading", role: "status" }, tr("加载中…", "Loading…"));
}

export function empty(message: string, ...extra: Child[]): HTMLElement {
  return h("div", { class: "state empty" }, h("p", null, message), ...extra);
}

/** What went wrong, in words a user can act on. */
export function errorBox(error: unknown): HTMLElement {
  const code = error instanceof ApiError ? error.code : "INTERNAL";
  const detail = error instanceof Error ? error.message : String(error);
  const signInLink = link("/signin", tr("去登录", "Sign in"));
  const [message, action]: [string, Child] = (() => {
    switch (code) {
      case "TOKEN_EXPIRED":
        return [tr("登录令牌已过期，请重新登录。", "Your token has expired: please sign in again."), signInLink];
      case "UNAUTHENTICATED":
        return [tr("服务不接受此令牌，请重新登录。", "The service refused this token: please sign in again."), signInLink];
      case "FORBIDDEN":
        return [tr("您的令牌无权查看这些数据。", "Your token has no access to this data."), signInLink];
      case "COLLEGE_REQUIRED":
        return [tr("请先选择院校。", "Choose a college first."), null];
      case "NETWORK":
        return [tr("无法连接服务，请检查服务是否在运行。", "The service does not answer: is it running?"), null];
      case "NO_PUBLISHED_FRAMEWORK":
        return [tr("尚未载入能力框架：请运行 competency-graph load。", "No framework loaded yet: run competency-graph load."), null];
      default:
        return [tr("出错了。", "Something went wrong."), null];
    }
  })();
  return h(
    "div",
    { class: "state error", role: "alert", "data-code": code },
    h("p", null, message, " ", action),
    h("p", { class: "detail" }, `${code}: ${detail}`),
  );
}

export function card(title: Child, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, h("h2", null, title), ...children);
}

export function badge(text: string, kind = ""): HTMLElement {
  return h("span", { class: `badge ${kind}`.trim() }, text);
}

export interface Level {
  code: string;
  rank: number;
  maxProficiency: number;
  nameZh: string;
  nameEn: string;
}
export interface Named {
  code: string;
  nameZh: string;
  nameEn: string;
}
export interface Framework {
  id: string;
  status: string;
  nameZh: string;
  nameEn: string;
  publishedAt: string | null;
}
export interface Reference {
  levels: Level[];
  layers: Named[];
  strands: Named[];
  colleges: Named[];
  framework: Framework;
}

let reference: Promise<Reference> | null = null;

/** Levels, layers, strands, colleges and the published framework: read once per page load. */
export function ref(): Promise<Reference> {
  reference ??= gql<Reference>(`{
      levels { code rank maxProficiency nameZh nameEn }
      layers { code nameZh nameEn }
      strands { code nameZh nameEn }
      colleges { code nameZh nameEn }
      framework { id status nameZh nameEn publishedAt }
    }`).catch((error) => {
    reference = null;
    throw error;
  });
  return reference;
}

export function named(list: Named[], code: string | null | undefined): string {
  const found = list.find((item) => item.code === code);
  return found ? nm(found) : (code ?? "");
}

export const DIMENSIONS = ["GEN", "PRO", "IND", "ETH"] as const;

export function dimensionName(code: string): string {
  return (
    {
      GEN: tr("通识素养", "General AI literacy"),
      PRO: tr("专业技能", "Professional skills"),
      IND: tr("行业能力", "Industry capability"),
      ETH: tr("伦理安全意识", "Ethics & safety"),
    }[code] ?? code
  );
}

export function levelName(levels: Level[], code: string | null | undefined): string {
  if (!code || code === "NONE") return tr("未达中职", "Below ZZ");
  return named(levels, code);
}

/** Short level names for charts and narrow tables. */
export function levelShort(levels: Level[], code: string | null | undefined): string {
  if (!code || code === "NONE") return tr("未达中职", "below ZZ");
  return tr(named(levels, code), code);
}

export function proficiencyName(value: number): string {
  return (
    [
      "",
      tr("了解", "know"),
      tr("运用", "apply"),
      tr("设计", "design"),
      tr("创新", "innovate"),
    ][value] ?? String(value)
  );
}

/** A <select> whose options are [value, label] pairs. */
export function select(
  name: string,
  options: Array<[string, string]>,
  value: string,
  onChange: (value: string) => void,
): HTMLSelectElement {
  const el = h(
    "select",
    { name, "aria-label": name },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
  el.addEventListener("change", () => onChange(el.value));
  return el;
}

export function labelled(label: string, control: HTMLElement): HTMLElement {
  return h("label", { class: "field" }, h("span", null, label), control);
}

export function roleName(role: string): string {
  return (
    {
      admin: tr("管理员", "Admin"),
      designer: tr("课程设计者", "Designer"),
      college: tr("院校", "College"),
      reader: tr("读者", "Reader"),
    }[role] ?? role
  );
}

export function statusName(status: string): string {
  return (
    { DRAFT: tr("草案", "draft"), PUBLISHED: tr("已发布", "published"), DEPRECATED: tr("已停用", "deprecated"), COPYING: tr("复制中", "copying") }[status] ?? status
  );
}

/** A button that downloads a service export, showing a problem beside itself. */
export function downloadButton(label: string, path: string, filename: string): HTMLElement {
  const note = h("span", { class: "bad small" });
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary no-print",
      onclick: async () => {
        note.textContent = "";
        try {
          await download(path, filename);
        } catch (error) {
          note.textContent = error instanceof Error ? `${tr("下载失败", "Download failed")}: ${error.message}` : String(error);
        }
      },
    },
    label,
  );
  return h("span", { class: "download" }, button, " ", note);
}
