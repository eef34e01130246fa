"""``python -m bench.peer``: the project against @neo4j/graphql on the same Neo4j database.

Needs a Neo4j 5 server (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) whose data it
may DELETE, and Node.js ≥ 20 (the peer's packages are installed from package-lock.json).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.peer.run import RESULTS_DIR, Options, run, table


def _parser() -> argparse.ArgumentParser:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m bench.peer",
        description="Side by side on one Neo4j database: the project (and its embedded store) "
                    "against @neo4j/graphql on graphql-yoga. Empties the Neo4j database.")
    parser.add_argument("--students", type=int, default=defaults.students)
    parser.add_argument("--results-per-student", type=int, default=defaults.results_per_student)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--requests", type=int, default=defaults.requests,
                        help="requests per timing run")
    parser.add_argument("--repeats", type=int, default=defaults.repeats,
                        help="timing runs per side and query; medians are reported")
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--warmup", type=int, default=defaults.warmup)
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help="HTTP workers of the project's servers")
    parser.add_argument("--shape", choices=["stands", "targets"], default=defaults.shape,
                        help="how the peer reads a student's standing (bench/peer/shape.mjs)")
    parser.add_argument("--no-embedded", action="store_true",
                        help="leave out the project on its embedded store")
    parser.add_argument("--work-dir", type=Path,
                        help="keep generated files, stores and server logs here")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    uri = os.environ.get("NEO4J_URI")
    if not uri or not os.environ.get("NEO4J_PASSWORD"):
        print("error: set NEO4J_URI and NEO4J_PASSWORD (the run empties that database)",
              file=sys.stderr)
        return 2
    if min(args.students, args.results_per_student, args.requests, args.repeats,
           args.clients, args.workers) < 1:
        print("error: counts must be positive", file=sys.stderr)
        return 2
    options = Options(
        students=args.students, results_per_student=args.results_per_student, seed=args.seed,
        requests=args.requests, repeats=args.repeats, clients=args.clients,
        warmup=args.warmup, workers=args.workers, shape=args.shape,
        embedded=not args.no_embedded, work_dir=args.work_dir, results_dir=args.results_dir,
        neo4j={"uri": uri, "user": os.environ.get("NEO4J_USER", "neo4j"),
               "password": os.environ["NEO4J_PASSWORD"],
               "database": os.environ.get("NEO4J_DATABASE", "neo4j")})
    result = run(options)
    print(table(result))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    suffix = "-dirty" if result["dirty"] else ""
    path = args.results_dir / f"{stamp}-{result['commit']}{suffix}-peer.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
