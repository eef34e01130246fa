"""`serve` as a college runs it: imports and reports while it serves, and no process left
behind when it is killed with -9."""

from __future__ import annotations

import csv
import os
import signal
import time
from pathlib import Path

import pytest

from schema.access import Role
from tests.service_process import cli, start_service


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.update(int(child) for child in children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_import_while_serving_then_no_orphans_after_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    service = start_service(data_dir, workers=2)
    try:
        students = tmp_path / "students.csv"
        with students.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", "college", "program", "classLabel", "enrolledOn"])
            writer.writerows([f"LIVE-{i:03d}", "COL-DEMO-GZ", "P-AI-GZ", "AI-2401",
                              "2024-09-01"] for i in range(25))
        imported = cli("import", "students", str(students), data_dir=data_dir)
        assert imported.returncode == 0, imported.stderr
        assert "25 students rows written" in imported.stdout
        results = tmp_path / "results.csv"
        with results.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["college", "student", "assessment", "score", "takenAt"])
            writer.writerows(["COL-DEMO-GZ", f"LIVE-{i:03d}", "A-GEN-GZ-01", 90, "2025-01-10"]
                             for i in range(25))
        imported = cli("import", "results", str(results), data_dir=data_dir)
        assert imported.returncode == 0, imported.stderr
        assert "25 results rows written" in imported.stdout
        report = cli("report", "coverage", data_dir=data_dir)
        assert report.returncode == 0, report.stderr
        assert "Traceback" not in report.stderr
        seen = service.post('{ students(college: "COL-DEMO-GZ", first: 50) { totalCount } }',
                            role=Role.COLLEGE, college="COL-DEMO-GZ").json()
        assert seen["data"]["students"]["totalCount"] == 25  # one engine, seen at once
        evidence = service.post('{ student(code: "LIVE-007") { evidence { code passed } } }',
                                role=Role.COLLEGE, college="COL-DEMO-GZ").json()
        assert evidence["data"]["student"]["evidence"][0] == {"code": "A-GEN-GZ-01",
                                                              "passed": True}

        processes = _children(service.process.pid)
        assert len(processes) >= 3  # the engine and two HTTP workers
        os.kill(service.process.pid, signal.SIGKILL)
        service.process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(map(_alive, processes)):
            time.sleep(0.1)
        assert [pid for pid in processes if _alive(pid)] == []
    finally:
        service.stop()


def test_expected_cli_failures_are_one_line(tmp_path: Path) -> None:
    missing = cli("import", "results", str(tmp_path / "nope.csv"), data_dir=tmp_path / "d")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr


@pytest.mark.parametrize("setting", ["CG_MAX_IN_FLIGHT=0", "CG_PORT=http"])
def test_bad_settings_stop_the_cli_with_one_line(tmp_path: Path, setting: str) -> None:
    import subprocess
    import sys

    from tests.service_process import ROOT

    name, value = setting.split("=")
    result = subprocess.run([sys.executable, "-m", "service.cli", "migrate", "--data-dir",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=False, env={**os.environ, name: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {name}") and "Traceback" not in result.stderr
