"""The install is reproducible and the wheel cannot shadow other packages.

``make`` installs ``requirements-dev.lock`` with ``--require-hashes`` and then the checkout
with ``--no-deps``, so these tests check that the locks pin everything pyproject asks for
(a dependency added without ``make lock`` would otherwise be missing from every install),
that the environment the tests run in is the locked one, and that the built wheel puts one
name, ``competency_graph``, into site-packages (``competency_graph/__init__.py`` says how).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT_FOLDERS = ("graph", "schema", "seed", "service")
HINT = "run `make lock` after changing pyproject's dependencies"

# "name==version ; marker \" then one "--hash=sha256:…" line per distribution file.
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)"
                  r"(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")
_HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}(\s*\\)?$")


class Pin:
    def __init__(self, version: str, marker: str | None) -> None:
        self.version = version
        self.marker = Marker(marker) if marker else None
        self.hashes = 0

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(name: str) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _HASH.match(line):
            assert current is not None, f"{name}: a hash before any pin: {line!r}"
            current.hashes += 1
            continue
        match = _PIN.match(line)
        assert match, f"{name}: not an exact pin or a sha256 hash: {line!r}"
        current = Pin(match["version"], match["marker"])
        pins[canonicalize_name(match["name"])] = current
    return pins


def requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ()),
                                              ("requirements-dev.lock", ("dev",))])
def test_lock_pins_every_dependency_with_hashes(lock: str, extras: tuple[str, ...]) -> None:
    pins = read_lock(lock)
    assert pins, f"{lock} pins nothing"
    unhashed = sorted(name for name, pin in pins.items() if pin.hashes == 0)
    assert not unhashed, f"{lock}: pins without a hash (pip --require-hashes refuses them)"
    problems = []
    for req in requirements(*extras):
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            problems.append(f"{req} is not in {lock}")
        elif not req.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{req} but {lock} pins {pin.version}")
    assert not problems, "\n".join([*problems, HINT])


def test_runtime_lock_agrees_with_dev_lock() -> None:
    """The image (requirements.lock) runs what the tests ran (requirements-dev.lock)."""
    runtime, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")
    differ = {n: (p.version, dev[n].version if n in dev else None)
              for n, p in runtime.items() if n not in dev or dev[n].version != p.version}
    assert not differ, f"runtime vs dev lock: {differ}; {HINT}"


def test_tests_run_in_the_locked_environment() -> None:
    """make installs the dev lock; a drifted venv would test other versions than we ship."""
    drifted = []
    for name, pin in read_lock("requirements-dev.lock").items():
        if not pin.applies():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != pin.version:
            drifted.append(f"{name}: locked {pin.version}, installed {installed}")
    assert not drifted, "\n".join([*drifted, "rm .venv/.installed && make test reinstalls"])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel as ``pip install .`` would build it (hatchling, the locked backend)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    (built,) = out.glob("*.whl")
    return built


def test_wheel_installs_one_top_level_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    version = PYPROJECT["project"]["version"]
    assert {n.split("/")[0] for n in names} == {
        "competency_graph", f"competency_graph-{version}.dist-info"}
    assert not [n for n in names if n.endswith(".pth")], "a .pth would put folders on sys.path"
    for folder in PROJECT_FOLDERS:
        assert f"competency_graph/_app/{folder}/__init__.py" in names
    assert "competency_graph/_app/seed/framework/levels.yaml" in names  # data, not only code
    entry_points = zipfile.ZipFile(wheel).read(
        f"competency_graph-{version}.dist-info/entry_points.txt").decode()
    assert "competency-graph = competency_graph:main" in entry_points
    meta = zipfile.ZipFile(wheel).read(f"competency_graph-{version}.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in meta
    assert "License-File: LICENSE" in meta
    assert meta.count("Classifier: ") >= 5


def _run_unpacked(site: Path, code: str, extra_path: Path | None = None) -> str:
    """Run ``code`` in a Python whose path has the unpacked wheel but not this checkout
    (the dev venv's editable install puts the checkout on the path)."""
    prelude = (
        "import sys\n"
        f"sys.path = [p for p in sys.path if p not in ('', {str(ROOT)!r})]\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        # after the wheel: if the wheel had a top-level ``schema``, it would win
        + (f"sys.path.insert(1, {str(extra_path)!r})\n" if extra_path else "")
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", prelude + code], cwd=site, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_wheel_neither_shadows_nor_is_shadowed(wheel: Path, tmp_path: Path) -> None:
    """Beside another top-level ``schema`` (as PyPI's ``schema`` package installs), that
    package still imports, and the application still runs from the wheel's own folders."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    other = tmp_path / "other"
    other.mkdir()
    (other / "schema.py").write_text("class Schema:\n    pass\n", encoding="utf-8")

    out = _run_unpacked(site, (
        "import schema\n"
        "from schema import Schema\n"
        "print(schema.__file__)\n"
        "for name in ('graph', 'seed', 'service'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    raise SystemExit(f'the wheel exposes a top-level {name!r}')\n"
    ), extra_path=other)
    assert out.strip() == str(other / "schema.py")

    out = _run_unpacked(site, (
        "import competency_graph\n"
        "code = competency_graph.main(['validate'])\n"
        "import schema, service\n"
        "print('RESULT', code, schema.__file__, service.__file__)\n"
    ))
    assert "seed OK" in out
    _, code, schema_file, service_file = out.splitlines()[-1].split()
    assert code == "0"
    assert Path(schema_file).is_relative_to(site / "competency_graph" / "_app")
    assert Path(service_file).is_relative_to(site / "competency_graph" / "_app")
