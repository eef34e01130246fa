"""Shared data for the learner tests: codes from the reference seed."""

from __future__ import annotations

import csv
from pathlib import Path

COLLEGE = "COL-DEMO-GZ"
OTHER_COLLEGE = "COL-DEMO-BK"
PROGRAM = "P-AI-GZ"
FW = "AIL@2025.1"
GZ_ASSESSMENTS = ["A-GEN-GZ-01", "A-GEN-GZ-02", "A-GEN-GZ-03", "A-GEN-GZ-04", "A-GEN-GZ-05",
                  "A-PRO-AI-GZ-01", "A-PRO-AI-GZ-02", "A-IND-IT-GZ-01"]
CERTIFICATIONS = ["CERT-1X-AIDL-M", "CERT-1X-CV-M"]


def student(code: str, college: str = COLLEGE, program: str = PROGRAM,
            class_label: str = "AI-2401") -> dict[str, str]:
    return {"code": code, "college": college, "program": program, "classLabel": class_label,
            "enrolledOn": "2024-09-01"}


def result(code: str, assessment: str, score: float, taken_at: str,
           college: str = COLLEGE) -> dict[str, object]:
    return {"college": college, "student": code, "assessment": assessment, "score": score,
            "takenAt": taken_at}


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A CSV file of these rows under ``header`` (UTF-8, as Excel's "CSV UTF-8" saves it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path
