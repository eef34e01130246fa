// One headless Chromium for all the views: Debian's chromium driven by playwright-core.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.CG_BASE ?? "http://127.0.0.1:8105";
export const TOKENS = {
  college: process.env.CG_TOKEN_COLLEGE,
  admin: process.env.CG_TOKEN_ADMIN,
  designer: process.env.CG_TOKEN_DESIGNER,
  expired: process.env.CG_TOKEN_EXPIRED,
};
export const SHOTS = process.env.CG_SHOTS || null;
const CHROMIUM = process.env.CG_CHROMIUM ?? "/usr/bin/chromium";

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "cg-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    viewport: { width: 1280, height: 900 },
    locale: "zh-CN",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const seen = { requests: [], consoleErrors: [], pageErrors: [] };
  page.on("request", (request) => seen.requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") seen.consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => seen.pageErrors.push(`${page.url()}: ${error.message}`));
  return {
    page,
    seen,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The same question the page asks, asked directly: what the page shows must equal it. */
export async function api(query, variables = {}, token = null) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${BASE}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors) throw new Error(`API: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Open a path and wait until its view says it is drawn. */
export async function open(page, path) {
  await page.goto(BASE + path);
  await ready(page);
}

export async function ready(page) {
  await page.waitForSelector("#view[data-ready=true]", { timeout: 20000 });
}

export async function useToken(page, token) {
  await page.evaluate((t) => (t ? sessionStorage.setItem("cg.token", t) : sessionStorage.removeItem("cg.token")), token);
}

export async function shot(page, name, fullPage = true) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

export async function text(page, selector) {
  return (await page.textContent(selector))?.trim() ?? null;
}

export const pct = (ratio) => `${(ratio * 100).toFixed(0)}%`;

/** Pages of a PDF: its /Type /Page objects (not /Pages). */
export function pdfPages(buffer) {
  return (buffer.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}
