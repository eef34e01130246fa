"""The floor of the HTTP figures: the same answers from a fixed-answer endpoint.

A bench-only Starlette app, never part of the service: ``POST /graphql`` reads the request
body and answers, byte for byte, what the service answered to that body (a table loaded at
start-up from a file of ``[request, answer]`` pairs). It runs on the service's server stack
(uvicorn through ``service.cli.TcpConfig``, the same number of workers, no access log), so
service CPU per request ÷ floor CPU per request is what the product adds over HTTP + ASGI.

``python -m bench.floor --port P --answers FILE [--workers N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

__all__ = ["Floor", "app_from_env", "write_answers"]

ANSWERS_ENV = "CG_BENCH_FLOOR_ANSWERS"
ROOT = Path(__file__).resolve().parent.parent


def write_answers(path: Path, requests: list[bytes], answers: list[bytes]) -> None:
    pairs = [[r.decode(), a.decode()] for r, a in zip(requests, answers, strict=True)]
    path.write_text(json.dumps(pairs))


def app_from_env() -> Starlette:
    pairs = json.loads(Path(os.environ[ANSWERS_ENV]).read_text())
    table = {request.encode(): answer.encode() for request, answer in pairs}

    async def graphql(request: Request) -> Response:
        answer = table.get(await request.body())
        if answer is None:
            return PlainTextResponse("not a reference request", status_code=404)
        return Response(answer, media_type="application/json")

    async def ready(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]),
                             Route("/readyz", ready)])


class Floor:
    """``python -m bench.floor`` as a subprocess on a loopback port, stopped by its pid."""

    def __init__(self, port: int, answers: Path, workers: int, log_file: Path) -> None:
        self.port, self.answers, self.workers, self.log_file = port, answers, workers, log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        import httpx

        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.floor", "--port", str(self.port),
                 "--answers", str(self.answers), "--workers", str(self.workers)],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError("the floor server exited at start-up:\n"
                                   + self.log_file.read_text(errors="replace")[-2000:])
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz",
                             timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the floor server was not ready within {timeout} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from service.cli import TcpConfig

    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answers", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ[ANSWERS_ENV] = str(args.answers.resolve())
    config = TcpConfig("bench.floor:app_from_env", factory=True, host="127.0.0.1",
                       port=args.port, workers=args.workers, log_config=None,
                       access_log=False)
    if config.workers > 1:
        from service.workers import serve_workers

        serve_workers(config)
    else:
        uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
