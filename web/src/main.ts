// The app shell: header with navigation by role, language switch, sign-in state; the
// router draws the current view below it.
import "./style.css";
import { canReadStudents, isExpired, session, signOut } from "./auth";
import { loadCharts } from "./charts";
import { clear, h, link } from "./dom";
import { lang, onLangChange, setLang, tr } from "./i18n";
import { navigate, onRouteRender, render, route, startRouter } from "./router";
import { cohortView } from "./views/cohort";
import { competencyView } from "./views/competency";
import { mapView } from "./views/map";
import { programListView, programView } from "./views/program";
import { pathwayView, versionsView } from "./views/pathway";
import { portraitView, studentListView } from "./views/student";
import { signInView } from "./views/signin";
import { roleName } from "./ui";

route(/^\/$/, "map", () => navigate("/map", true));
route(/^\/map$/, "map", mapView);
route(/^\/competency\/([^/]+)$/, "map", competencyView);
route(/^\/students$/, "students", studentListView);
route(/^\/student\/([^/]+)\/([^/]+)$/, "students", portraitView);
route(/^\/cohort$/, "cohort", cohortView);
route(/^\/programs$/, "programs", programListView);
route(/^\/program\/([^/]+)$/, "programs", programView);
route(/^\/pathway$/, "programs", pathwayView);
route(/^\/versions$/, "programs", versionsView);
route(/^\/signin$/, "signin", signInView);

const app = document.getElementById("app")!;
clear(app);
const header = h("header", { class: "top" });
const view = h("main", { id: "view" });
const footer = h("footer", { class: "foot" });
app.append(header, view, footer);

let section = "map";

function drawHeader(): void {
  clear(header);
  const current = session();
  const students = canReadStudents(current);
  const items: Array<[string, string, string]> = [
    ["map", "/map", tr("能力图谱", "Competency map")],
    ...(students
      ? ([
          ["students", "/students", tr("学生画像", "Student portrait")],
          ["cohort", "/cohort", tr("群体分析", "Cohort dashboard")],
        ] as Array<[string, string, string]>)
      : []),
    ["programs", "/programs", tr("培养方案", "Programs")],
  ];
  const who = current
    ? h(
        "span",
        { class: "who" + (isExpired(current) ? " expired" : "") },
        roleName(current.role),
        current.college ? ` · ${current.college}` : "",
        isExpired(current) ? ` · ${tr("已过期", "expired")}` : "",
        " ",
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: () => {
              signOut();
              drawHeader();
              void render();
            },
          },
          tr("退出", "Sign out"),
        ),
      )
    : link("/signin", tr("登录", "Sign in"));
  header.append(
    h(
      "div",
      { class: "brand" },
      link("/map", tr("职业院校人工智能素养能力图谱", "AI-literacy competency graph")),
    ),
    h(
      "nav",
      { "aria-label": tr("主导航", "Main") },
      items.map(([key, href, label]) => {
        const a = link(href, label);
        if (key === section) a.setAttribute("aria-current", "page");
        return a;
      }),
    ),
    h(
      "div",
      { class: "tools" },
      h(
        "button",
        {
          type: "button",
          class: "lang",
          title: tr("Switch to English", "切换到中文"),
          onclick: () => setLang(lang() === "zh" ? "en" : "zh"),
        },
        lang() === "zh" ? "EN" : "中文",
      ),
      who,
    ),
  );
  clear(footer);
  footer.append(
    tr(
      "演示数据（云帆市各院校及其学生）均为虚构。学生只以化名编号出现。",
      "The demo data (the Yunfan colleges and their students) are fictional. Students appear by pseudonymous codes only.",
    ),
    " · ",
    h("a", { href: "/graphql" }, "GraphQL / GraphiQL"),
  );
}

onRouteRender((next) => {
  section = next;
  drawHeader();
});
onLangChange(() => {
  drawHeader();
  void render();
});
window.addEventListener("cg:session", () => drawHeader());
drawHeader();
startRouter();
// the charts' chunk, once the first view is up: the next view with a chart opens at once
setTimeout(() => void loadCharts(), 1500);
