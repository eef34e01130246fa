"""The real service: uvicorn on a loopback port, its own embedded store, real HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schema.access import Role
from service.auth import issue_token

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args, "--data-dir",
                           str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("service-data")
    loaded = _cli("load", data_dir=data_dir)
    assert loaded.returncode == 0, loaded.stderr
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(data_dir),
         "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        errors = process.stderr.read() if process.stderr else ""
        pytest.fail(f"service did not become ready: {errors}")
    yield base, data_dir
    process.terminate()
    process.wait(timeout=30)


def test_health_and_readiness(service: tuple[str, Path]) -> None:
    base, _ = service
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/readyz").json() == {"status": "ready", "backend": "falkordb"}


def test_post_and_get_answer_the_same(service: tuple[str, Path]) -> None:
    base, _ = service
    query = "{ levels { code } competency(code: \"GEN-02\") { prerequisites { code } } }"
    posted = httpx.post(f"{base}/graphql", json={"query": query}).json()
    got = httpx.get(f"{base}/graphql", params={"query": query}).json()
    assert posted == got
    assert [lv["code"] for lv in posted["data"]["levels"]] == ["ZZ", "GZ", "BK"]


def test_framework_browsing_answers_the_same_on_both_execution_paths(
        service: tuple[str, Path]) -> None:
    base, _ = service
    browse = ("competencies(first: 50) { totalCount pageInfo { endCursor } nodes { code "
              "major { code } prerequisites { code } dependents(transitive: true) { code } "
              "requirements { code levelCode descriptorZh target { value } } } }")
    fast = httpx.post(f"{base}/graphql", json={"query": "{ " + browse + " }"}).json()
    # a root __typename is not a field the fast path takes: graphql-core answers this one
    slow = httpx.post(f"{base}/graphql", json={"query": "{ __typename " + browse + " }"}).json()
    assert "errors" not in fast and len(fast["data"]["competencies"]["nodes"]) == 50
    assert slow["data"].pop("__typename") == "Query"
    assert fast == slow
    text = httpx.get(f"{base}/metrics").text
    assert 'cg_graphql_execution_total{path="fast"}' in text
    assert 'cg_graphql_execution_total{path="declined"}' in text


def test_mutations_are_not_allowed_over_get(service: tuple[str, Path]) -> None:
    base, _ = service
    response = httpx.get(f"{base}/graphql", params={"query": "mutation { x }"})
    assert response.status_code in {400, 405}


def test_graphiql_is_served_without_a_cdn(service: tuple[str, Path]) -> None:
    base, _ = service
    page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert 'src="http' not in page.text and 'href="http' not in page.text
    script = httpx.get(f"{base}/graphiql-static/graphiql.min.js")
    assert script.status_code == 200 and len(script.content) > 100_000


def test_tokens_are_checked(service: tuple[str, Path]) -> None:
    base, data_dir = service
    query = {"query": "{ frameworks { id status } }"}
    bad = httpx.post(f"{base}/graphql", json=query, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    secret = (data_dir / "secret.key").read_text().strip()
    token = issue_token(secret, Role.DESIGNER, subject="designer-a")
    good = httpx.post(f"{base}/graphql", json=query,
                      headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    assert good.json()["data"]["frameworks"][0]["id"] == "AIL@2025.1"


def test_cli_refuses_a_bad_seed_with_file_and_reason(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "levels.yaml").write_text("- code: ZZ\n  nameEn: Secondary\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "service.cli", "validate", "--seed",
                             str(seed)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert "levels.yaml:1 (entry 1): missing nameZh" in result.stderr
