// Sign-in with a bearer token issued by `competency-graph token`: kept in sessionStorage.
import { isExpired, session, signIn, signOut, TokenProblem } from "../auth";
import { h, link } from "../dom";
import { tr } from "../i18n";
import { navigate, type ViewContext } from "../router";
import { card, roleName } from "../ui";

export function signInView({ root }: ViewContext): void {
  const current = session();
  const message = h("p", { class: "message", role: "status" });
  const input = h("textarea", {
    name: "token",
    rows: 3,
    spellcheck: "false",
    autocomplete: "off",
    placeholder: "cg1.…",
    "aria-label": tr("访问令牌", "Access token"),
  });
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: (event: Event) => {
        event.preventDefault();
        try {
          const s = signIn(input.value);
          window.dispatchEvent(new Event("cg:session"));
          navigate(s.role === "college" || s.role === "admin" ? "/students" : "/map");
        } catch (error) {
          const expired = error instanceof TokenProblem && error.message === "expired";
          message.className = "message error";
          message.textContent = expired
            ? tr("此令牌已过期，请签发新令牌。", "This token has expired: issue a new one.")
            : tr("这不是本服务的访问令牌（应以 cg1. 开头）。", "This is not an access token of this service (it starts with cg1.).");
        }
      },
    },
    h("label", { class: "field wide" }, h("span", null, tr("访问令牌", "Access token")), input),
    h("button", { type: "submit" }, tr("登录", "Sign in")),
    message,
  );
  const status = current
    ? h(
        "p",
        null,
        tr("当前：", "Signed in as: "),
        h("strong", null, roleName(current.role)),
        current.college ? ` · ${current.college}` : "",
        " · ",
        isExpired(current)
          ? h("span", { class: "bad" }, tr("已过期", "expired"))
          : tr(`有效期至 ${current.expires.toLocaleString("zh-CN")}`, `valid until ${current.expires.toLocaleString("en-GB")}`),
        " ",
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: () => {
              signOut();
              window.dispatchEvent(new Event("cg:session"));
              navigate("/signin", true);
            },
          },
          tr("退出", "Sign out"),
        ),
      )
    : h("p", null, tr("未登录：可浏览已发布的能力框架与培养方案。", "Not signed in: you can browse the published framework and programs."));
  root.append(
    h("h1", null, tr("登录", "Sign in")),
    card(tr("使用访问令牌登录", "Sign in with an access token"), status, form),
    card(
      tr("如何获得令牌", "How to get a token"),
      h(
        "p",
        null,
        tr(
          "令牌由服务管理员在服务器上用命令行签发；它只保存在本浏览器标签页（sessionStorage），关闭即失效，不会出现在网址中。",
          "An administrator issues tokens on the server with the command line. The token stays in this browser tab (sessionStorage), is gone when the tab closes and never appears in a URL.",
        ),
      ),
      h(
        "table",
        { class: "plain" },
        h("thead", null, h("tr", null, h("th", null, tr("角色", "Role")), h("th", null, tr("能看什么", "What it sees")), h("th", null, tr("命令", "Command")))),
        h(
          "tbody",
          null,
          row(tr("院校", "College"), tr("本院校学生画像、群体分析", "its own college's portraits and cohorts"), "competency-graph token --role college --college COL-DEMO-GZ"),
          row(tr("管理员", "Admin"), tr("所有院校", "every college"), "competency-graph token --role admin"),
          row(tr("课程设计者", "Designer"), tr("框架草案、版本对比", "framework drafts, version diffs"), "competency-graph token --role designer"),
        ),
      ),
      h("p", null, tr("无需登录即可浏览：", "No token needed for: "), link("/map", tr("能力图谱", "Competency map")), " · ", link("/programs", tr("培养方案", "Programs"))),
    ),
  );
}

function row(role: string, sees: string, command: string): HTMLElement {
  return h("tr", null, h("td", null, role), h("td", null, sees), h("td", null, h("code", null, command)));
}
