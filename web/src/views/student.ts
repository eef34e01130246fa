// 学生画像: a student's readiness radar, placement per layer, attained vs required with the
// evidence, gaps against the program / a level / a job, and the learning path; printable
// on one A4 page. Also the list of a college's students to pick one from.
import { ApiError, gql } from "../api";
import { canReadStudents, isExpired, session, signOut } from "../auth";
import { h, link, mount } from "../dom";
import { loadCharts } from "../charts";
import { nm, tr } from "../i18n";
import { navigate, setQuery, type ViewContext } from "../router";
import { card, empty, errorBox, loading, ref } from "../ui";
import { drawPortrait, PORTRAIT, type Portrait } from "./portrait";
import { scopePicker } from "./common";

const PAGE = 50;

export function needsStudentToken(root: HTMLElement): boolean {
  const current = session();
  if (canReadStudents(current)) return false;
  if (current && isExpired(current)) {
    signOut();
    window.dispatchEvent(new Event("cg:session"));
    mount(root, h("h1", null, tr("需要重新登录", "Sign in again")), errorBox(new ApiError("TOKEN_EXPIRED", "token expired")));
    return true;
  }
  mount(root,
    h("h1", null, tr("需要登录", "Sign-in needed")),
    empty(
      tr("学生数据只对本院校令牌和管理员令牌开放。", "Student data is open to a token of the student's college and to admins only."),
      link("/signin", tr("用令牌登录", "Sign in with a token")),
    ),
  );
  return true;
}

interface StudentRow {
  code: string;
  classLabel: string | null;
  enrolledOn: string | null;
  programCode: string | null;
  levelCode: string | null;
}

export async function studentListView(ctx: ViewContext): Promise<void> {
  const { root, query } = ctx;
  if (needsStudentToken(root)) return;
  root.append(loading());
  try {
    const reference = await ref();
    const { scope, controls, programs } = await scopePicker(reference, query);
    const after = query.get("after");
    const data = await gql<{
      students: { totalCount: number; nodes: StudentRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(
      `query($college: String, $program: String, $classLabel: String, $first: Int, $after: String) {
        students(college: $college, program: $program, classLabel: $classLabel, first: $first, after: $after) {
          totalCount pageInfo { hasNextPage endCursor }
          nodes { code classLabel enrolledOn programCode levelCode } } }`,
      { college: scope.college, program: scope.program, classLabel: scope.classLabel, first: PAGE, after },
    );
    if (!ctx.alive()) return;
    const codeInput = h("input", { name: "code", placeholder: "S00001", "aria-label": tr("学号", "Student code"), autocomplete: "off" });
    const go = h(
      "form",
      {
        class: "search",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const code = codeInput.value.trim();
          if (code) navigate(`/student/${encodeURIComponent(scope.college)}/${encodeURIComponent(code)}`);
        },
      },
      codeInput,
      h("button", { type: "submit" }, tr("打开画像", "Open portrait")),
    );
    const programName = (code: string | null) => nm(programs.find((p) => p.code === code)) || (code ?? "");
    const list = data.students.nodes.length
      ? h(
          "table",
          { class: "data students" },
          h("thead", null, h("tr", null, [tr("学号", "Code"), tr("培养方案", "Program"), tr("班级", "Class"), tr("入学", "Enrolled")].map((x) => h("th", null, x)))),
          h(
            "tbody",
            null,
            data.students.nodes.map((s) =>
              h(
                "tr",
                { "data-code": s.code },
                h("td", null, link(`/student/${encodeURIComponent(scope.college)}/${encodeURIComponent(s.code)}`, s.code)),
                h("td", null, programName(s.programCode)),
                h("td", null, s.classLabel ?? "—"),
                h("td", null, s.enrolledOn ?? ""),
              ),
            ),
          ),
        )
      : empty(tr("这里还没有学生。导入学生（competency-graph import students）或载入演示数据（competency-graph demo）。", "No students here yet. Import some (competency-graph import students) or load the demo (competency-graph demo)."));
    const pager = h(
      "p",
      { class: "pager" },
      tr(`共 ${data.students.totalCount} 名学生`, `${data.students.totalCount} students`),
      " ",
      after ? h("button", { type: "button", class: "link", onclick: () => setQuery({ after: null }) }, tr("回到第一页", "First page")) : null,
      " ",
      data.students.pageInfo.hasNextPage
        ? h("button", { type: "button", class: "link", onclick: () => setQuery({ after: data.students.pageInfo.endCursor }) }, tr("下一页", "Next page"))
        : null,
    );
    mount(root, 
      h("h1", null, tr("学生画像", "Student portrait")),
      controls,
      card(tr("选择学生", "Choose a student"), go, pager, list),
    );
    root.querySelector(".pager")?.setAttribute("data-total", String(data.students.totalCount));
  } catch (error) {
    if (ctx.alive()) mount(root, errorBox(error));
  }
}

export async function portraitView(ctx: ViewContext): Promise<void> {
  const { root, query } = ctx;
  if (needsStudentToken(root)) return;
  const [college, code] = ctx.params;
  const target = parseTarget(query.get("target"));
  void loadCharts(); // in parallel with the data
  root.append(loading());
  try {
    const [data, reference] = await Promise.all([
      gql<Portrait>(PORTRAIT, { code, college, target }),
      ref(),
    ]);
    if (!ctx.alive()) return;
    if (!data.student) {
      mount(root, 
        h("h1", null, tr("学生画像", "Student portrait")),
        empty(tr(`院校 ${college} 没有学号为 ${code} 的学生。`, `College ${college} has no student ${code}.`), link(`/students?college=${encodeURIComponent(college)}`, tr("回到学生列表", "Back to the list"))),
      );
      return;
    }
    await drawPortrait(root, data, reference, query.get("target") ?? "");
  } catch (error) {
    if (ctx.alive()) mount(root, h("h1", null, tr("学生画像", "Student portrait")), errorBox(error));
  }
}

/** ?target=level:GZ | program:P-AI-BK | job:JOB-IT-01 → GapTarget (none: own program). */
export function parseTarget(raw: string | null): Record<string, string> | null {
  if (!raw) return null;
  const [kind, value] = raw.split(":", 2);
  if (!value) return null;
  if (kind === "level") return { level: value };
  if (kind === "program") return { program: value };
  if (kind === "job") return { jobRole: value };
  return null;
}

