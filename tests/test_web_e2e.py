"""The web app in a real browser, against a real service holding the demo data.

One service process (its own data directory: the seed and `competency-graph demo`), one
headless Chromium (Debian's, driven by playwright-core from web/node_modules) for every
view: web/e2e/views.test.mjs compares what each page shows with what the API answers,
checks that the page asks no other host and logs no error, and prints the portrait to a
one-page PDF. The HTTP tests here check how the service serves the app.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schema.access import Role
from service.auth import issue_token, load_or_create_secret

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
APP = ROOT / "service" / "static" / "app"
CHROMIUM = os.environ.get("CG_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, data_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "service.cli", *args, "--data-dir",
                           str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    missing = [what for what, ok in (
        ("the built web app (run `make web`)", (APP / "index.html").is_file()),
        ("web/node_modules (run `make web`)", (WEB / "node_modules" / "playwright-core")
         .is_dir()),
        (f"Chromium at {CHROMIUM} (apt-get install -y chromium)", Path(CHROMIUM).exists()),
        ("node", shutil.which("node") is not None)) if not ok]
    assert not missing, "the browser tests need " + ", ".join(missing)
    data_dir = tmp_path_factory.mktemp("web-data")
    _cli("load", data_dir=data_dir)
    _cli("demo", data_dir=data_dir)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--data-dir", str(data_dir),
         "--port", str(port), "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
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
    try:
        yield base, data_dir
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_view_in_a_browser(served: tuple[str, Path]) -> None:
    base, data_dir = served
    secret = load_or_create_secret(None, data_dir)
    shots = os.environ.get("CG_SHOTS")
    env = {
        **os.environ,
        "CG_BASE": base,
        "CG_CHROMIUM": CHROMIUM,
        "CG_TOKEN_COLLEGE": issue_token(secret, Role.COLLEGE, subject="e2e",
                                        college="COL-DEMO-GZ", ttl_days=1),
        "CG_TOKEN_ADMIN": issue_token(secret, Role.ADMIN, subject="e2e", ttl_days=1),
        "CG_TOKEN_DESIGNER": issue_token(secret, Role.DESIGNER, subject="e2e", ttl_days=1),
        "CG_TOKEN_EXPIRED": issue_token(secret, Role.COLLEGE, subject="e2e",
                                        college="COL-DEMO-GZ", ttl_days=-1),
        "CG_SHOTS": str((ROOT / shots).resolve()) if shots else "",
    }
    if shots:
        (ROOT / shots).mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["node", "--test", "--test-reporter=spec", "e2e/"], cwd=WEB, env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    report = run.stdout + run.stderr
    print(report)  # the timings and each test's outcome, with -s or on failure
    assert run.returncode == 0, report
    assert "timing first render /map" in report


def test_client_routes_answer_with_the_app(served: tuple[str, Path]) -> None:
    base, _ = served
    for path in ("/", "/map", "/competency/GEN-05", "/student/COL-DEMO-GZ/S00001",
                 "/cohort", "/program/P-AI-GZ", "/signin"):
        response = httpx.get(base + path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-cache"
        assert '<div id="app">' in response.text


def test_assets_are_cached_for_good_and_other_routes_keep_working(
        served: tuple[str, Path]) -> None:
    base, _ = served
    index = httpx.get(base + "/").text
    scripts = [part.split('"')[0] for part in index.split('src="')[1:]]
    assert scripts and all(s.startswith("/app-assets/") for s in scripts)
    plain = httpx.get(base + scripts[0], headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    packed = httpx.get(base + scripts[0], headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"].startswith(plain.headers["content-type"])
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.content == plain.content  # httpx decodes it: the same script
    assert httpx.get(base + "/app-assets/nothing.js").status_code == 404
    assert httpx.get(base + "/no-such-page").status_code == 404
    posted = httpx.post(base + "/graphql", json={"query": "{ levels { code } }"})
    assert posted.json() == {"data": {"levels": [{"code": "ZZ"}, {"code": "GZ"}, {"code": "BK"}]}}
    ide = httpx.get(base + "/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()
