// Choosing a college / program / class, shared by the student list and the cohort view.
import { gql } from "../api";
import { session } from "../auth";
import { h } from "../dom";
import { nm, tr } from "../i18n";
import { setQuery } from "../router";
import { labelled, select, type Named, type Reference } from "../ui";

export interface ProgramRow extends Named {
  levelCode: string;
  majorCode: string;
  collegeCode: string;
}

let programs: Promise<ProgramRow[]> | null = null;

export function allPrograms(): Promise<ProgramRow[]> {
  programs ??= gql<{ programs: { nodes: ProgramRow[] } }>(
    `{ programs(first: 100) { nodes { code nameZh nameEn levelCode majorCode collegeCode } } }`,
  )
    .then((d) => d.programs.nodes)
    .catch((error) => {
      programs = null;
      throw error;
    });
  return programs;
}

export interface Scope {
  college: string;
  program: string | null;
  classLabel: string | null;
}

/** The college a view is about: a college token's own, else the query's, else the first. */
export function chosenCollege(reference: Reference, query: URLSearchParams): string {
  const own = session()?.college;
  if (session()?.role === "college" && own) return own;
  const asked = query.get("college");
  if (asked && reference.colleges.some((c) => c.code === asked)) return asked;
  return reference.colleges.find((c) => c.code === "COL-DEMO-GZ")?.code ?? reference.colleges[0]?.code ?? "";
}

export interface ClassRow {
  classLabel: string;
  programCode: string;
  students: number;
}

export async function scopePicker(
  reference: Reference,
  query: URLSearchParams,
): Promise<{ scope: Scope; controls: HTMLElement; classes: ClassRow[]; programs: ProgramRow[] }> {
  const college = chosenCollege(reference, query);
  const [everyProgram, classes] = await Promise.all([
    allPrograms(),
    gql<{ cohortClasses: ClassRow[] }>(
      `query($college: String) { cohortClasses(college: $college) { classLabel programCode students } }`,
      { college },
    ).then((d) => d.cohortClasses),
  ]);
  const ofCollege = everyProgram.filter((p) => p.collegeCode === college);
  const program = ofCollege.some((p) => p.code === query.get("program")) ? query.get("program") : null;
  const classLabel = classes.some((c) => c.classLabel === query.get("class") && (!program || c.programCode === program))
    ? query.get("class")
    : null;
  const fixed = session()?.role === "college";
  const controls = h(
    "div",
    { class: "toolbar scope" },
    labelled(
      tr("院校", "College"),
      fixed
        ? h("strong", { class: "fixed" }, nm(reference.colleges.find((c) => c.code === college)) || college)
        : select("college", reference.colleges.map((c): [string, string] => [c.code, nm(c)]), college, (v) =>
            setQuery({ college: v, program: null, class: null, after: null }),
          ),
    ),
    labelled(
      tr("培养方案", "Program"),
      select(
        "program",
        [["", tr("全部方案", "All programs")], ...ofCollege.map((p): [string, string] => [p.code, nm(p)])],
        program ?? "",
        (v) => setQuery({ program: v || null, class: null, after: null }),
      ),
    ),
    labelled(
      tr("班级", "Class"),
      select(
        "class",
        [
          ["", tr("全部班级", "All classes")],
          ...classes
            .filter((c) => !program || c.programCode === program)
            .map((c): [string, string] => [c.classLabel, tr(`${c.classLabel}（${c.students} 人）`, `${c.classLabel} (${c.students})`)]),
        ],
        classLabel ?? "",
        (v) => setQuery({ class: v || null, after: null }),
      ),
    ),
  );
  return { scope: { college, program, classLabel }, controls, classes, programs: ofCollege };
}
