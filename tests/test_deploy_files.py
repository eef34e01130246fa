"""Dockerfile and compose.yaml agree with the code they run.

No Docker daemon runs where the tests do, so the files are checked against the sources
of truth instead: every variable they set is a setting ``service/config.py`` declares and
the values parse as the service would parse them, the commands parse with the CLI's own
parser, the ports line up, the probe the healthchecks call is a route, the files they copy
exist, the base images match the lock's Python and the web app's Node. The healthcheck
command itself is run against a real service, ready and then stopped.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.app import create_app
from service.cli import _parser
from service.config import SETTINGS, Settings
from tests.service_process import free_port, wait_ready

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
SETTING_VARS = {spec.env for spec in SETTINGS.values()}
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
APP_SERVICES = ("load", "api")  # the ones that run this project's image


@dataclass
class Instruction:
    stage: int
    keyword: str
    args: str

    def words(self) -> list[str]:
        text = self.args.strip()
        return list(yaml.safe_load(text)) if text.startswith("[") else shlex.split(text)


def dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions (continuations joined, comments dropped), by stage."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out: list[Instruction] = []
    stage = -1
    for line in logical.splitlines():
        if not line.strip():
            continue
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        out.append(Instruction(stage, keyword.upper(), args))
    return out


def final_stage() -> list[Instruction]:
    instructions = dockerfile()
    last = instructions[-1].stage
    return [i for i in instructions if i.stage == last]


def env_of(instructions: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for i in instructions:
        if i.keyword == "ENV":
            env.update(word.split("=", 1) for word in i.words())  # type: ignore[misc]
    return env


def resolve(value: object, sample: dict[str, str]) -> str:
    """Compose's interpolation: ``${VAR:?error}`` needs VAR, ``${VAR:-default}``."""
    def one(match: re.Match[str]) -> str:
        name, op, rest = match["name"], match["op"], match["rest"]
        if op == ":?":
            return sample[name]
        return sample.get(name) or (rest if op == ":-" else "")
    return re.sub(r"\$\{(?P<name>\w+)(?P<op>:\?|:-)?(?P<rest>[^}]*)\}", one, str(value))


def app_env(service: str, sample: dict[str, str] | None = None) -> dict[str, str]:
    environment = SERVICES[service]["environment"]
    return {k: resolve(v, sample or {"NEO4J_PASSWORD": "s3cret"})
            for k, v in environment.items()}


def test_dockerfile_sets_only_declared_settings() -> None:
    env = env_of(final_stage())
    unknown = {k for k in env if k.startswith(("CG_", "NEO4J_")) and k not in SETTING_VARS}
    assert not unknown, f"the Dockerfile sets variables the service never reads: {unknown}"
    Settings.from_env(env)  # and the values parse


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_sets_only_declared_settings(service: str) -> None:
    env = app_env(service)
    unknown = set(env) - SETTING_VARS
    assert not unknown, f"compose sets variables the service never reads: {unknown}"
    settings = Settings.from_env({**env_of(final_stage()), **env})
    assert settings.backend == "neo4j"
    assert settings.neo4j_uri == "neo4j://neo4j:7687", "a routing URI to the neo4j service"
    assert settings.neo4j_password == "s3cret"


def test_compose_requires_the_password_for_neo4j_and_the_service_alike() -> None:
    auth = SERVICES["neo4j"]["environment"]["NEO4J_AUTH"]
    assert resolve(auth, {"NEO4J_PASSWORD": "x1"}) == "neo4j/x1"
    for service in APP_SERVICES:
        assert "${NEO4J_PASSWORD:?" in SERVICES[service]["environment"]["NEO4J_PASSWORD"]
        assert app_env(service)["NEO4J_USER"] == "neo4j"


def test_compose_runs_neo4j_5_26_and_starts_in_order() -> None:
    image = SERVICES["neo4j"]["image"]
    assert image.startswith("neo4j:5.26"), image
    assert "cypher-shell" in " ".join(SERVICES["neo4j"]["healthcheck"]["test"])
    assert SERVICES["load"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert SERVICES["api"]["depends_on"]["load"]["condition"] == "service_completed_successfully"
    for service in APP_SERVICES:
        assert SERVICES[service]["build"] == "."
        assert SERVICES[service]["image"] == SERVICES["api"]["image"]
    assert set(COMPOSE["volumes"]) >= {v.split(":")[0] for s in SERVICES.values()
                                       for v in s.get("volumes", [])}


def test_commands_are_the_cli_commands() -> None:
    entrypoint = next(i for i in final_stage() if i.keyword == "ENTRYPOINT").words()
    assert entrypoint == ["competency-graph"]
    assert "competency-graph" in PYPROJECT["project"]["scripts"]
    default = next(i for i in final_stage() if i.keyword == "CMD").words()
    commands = {"the Dockerfile's CMD": default}
    commands |= {f"compose's {s}": SERVICES[s]["command"] for s in APP_SERVICES}
    for where, command in commands.items():
        try:
            _parser().parse_args(command)
        except SystemExit:
            pytest.fail(f"{where} {command} is not a competency-graph command")
    assert SERVICES["load"]["command"] == ["load"]
    assert SERVICES["api"]["command"] == ["serve"]


def _probe_url(test: list[str]) -> str:
    (url,) = re.findall(r"https?://[^'\"]+", " ".join(test))
    return url


def test_ports_and_probe_line_up() -> None:
    image_env = env_of(final_stage())
    exposed = next(i for i in final_stage() if i.keyword == "EXPOSE").words()
    port = app_env("api")["CG_PORT"]
    assert exposed == [image_env["CG_PORT"]] == [port]
    assert app_env("api")["CG_HOST"] == image_env["CG_HOST"] == "0.0.0.0"
    (published,) = SERVICES["api"]["ports"]
    assert published.rsplit(":", 1)[1] == port
    dockerfile_check = next(i for i in final_stage() if i.keyword == "HEALTHCHECK").args
    compose_check = SERVICES["api"]["healthcheck"]["test"]
    assert compose_check[0] == "CMD"
    assert yaml.safe_load(dockerfile_check.split(" CMD ", 1)[1]) == compose_check[1:], \
        "the image and compose probe the same way"
    url = _probe_url(compose_check)
    assert url == f"http://127.0.0.1:{port}/readyz"
    app = create_app(Settings.from_env(app_env("api")))
    assert "/readyz" in {getattr(route, "path", None) for route in app.routes}


def test_files_the_dockerfile_copies_exist_and_are_in_the_context() -> None:
    ignored = {line.strip().rstrip("/") for line in
               (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "data", "service/static/app"} <= ignored
    for i in dockerfile():
        words = i.words()
        if i.keyword != "COPY" or any(w.startswith("--from") for w in words):
            continue
        for source in words[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            assert source.rstrip("/") not in ignored, f"COPY {source}: .dockerignore drops it"
    copied = {w.rstrip("/") for i in dockerfile() if i.keyword == "COPY" for w in i.words()}
    for package in PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
        assert package in copied, f"the wheel needs {package}/ but the Dockerfile omits it"


def test_base_images_match_the_lock_and_the_web_app() -> None:
    images = [i.words()[0] for i in dockerfile() if i.keyword == "FROM"]
    pythons = {re.match(r"python:(\d+\.\d+)", image)[1] for image in images  # type: ignore[index]
               if image.startswith("python:")}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (locked,) = re.findall(r"--python-version (\S+)", makefile)
    assert pythons == {locked}, "the image's Python is the one the locks were resolved for"
    assert PYPROJECT["project"]["requires-python"] == f">={locked}"
    (node,) = [image for image in images if image.startswith("node:")]
    engines = (ROOT / "web" / "package.json").read_text(encoding="utf-8")
    (needed,) = re.findall(r'"node": ">=(\d+)', engines)
    assert int(re.match(r"node:(\d+)", node)[1]) >= int(needed)  # type: ignore[index]
    runtime = " ".join(i.args for i in final_stage() if i.keyword == "RUN")
    assert "--require-hashes -r /tmp/requirements.lock" in runtime
    assert "--no-deps" in runtime


def test_healthcheck_command_passes_on_a_ready_service_and_fails_on_none(
        tmp_path: Path) -> None:
    port = free_port()
    check = [sys.executable if w == "python" else w.replace(":8000/", f":{port}/")
             for w in SERVICES["api"]["healthcheck"]["test"][1:]]
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(tmp_path / "data"),
         "--port", str(port), "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        assert wait_ready(f"http://127.0.0.1:{port}", 60), "the service did not start"
        assert subprocess.run(check, timeout=30, check=False).returncode == 0
    finally:
        process.terminate()
        process.wait(timeout=60)
    down = subprocess.run(check, timeout=30, check=False, capture_output=True)
    assert down.returncode != 0, "the healthcheck must fail when nothing answers"
