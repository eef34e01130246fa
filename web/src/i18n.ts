// Chinese first, English beside: every UI string is written as tr("中文", "English"), and
// content carries nameZh / nameEn. The choice is kept in localStorage (it is no secret).

export type Lang = "zh" | "en";
const KEY = "cg.lang";
let current: Lang = localStorage.getItem(KEY) === "en" ? "en" : "zh";
const listeners: Array<() => void> = [];

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}

export function tr(zh: string, en: string): string {
  return current === "zh" ? zh : en;
}

interface Named {
  nameZh?: string | null;
  nameEn?: string | null;
}

/** The name of a content record in the current language (the other one as a fallback). */
export function nm(item: Named | null | undefined): string {
  if (!item) return "";
  return (current === "zh" ? item.nameZh || item.nameEn : item.nameEn || item.nameZh) ?? "";
}

/** The other language's name, shown small beside the first. */
export function nmOther(item: Named | null | undefined): string {
  if (!item) return "";
  return (current === "zh" ? item.nameEn : item.nameZh) ?? "";
}

export function pick(zh: string | null | undefined, en: string | null | undefined): string {
  return (current === "zh" ? zh || en : en || zh) ?? "";
}

document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
