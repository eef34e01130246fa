"""``python -m bench``: generate a province slice, import it, measure, write JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.common import Neo4jTarget
from bench.generate import Scale
from bench.run import RESULTS_DIR, Options, run


def _parser() -> argparse.ArgumentParser:
    defaults, scale = Options(), Scale()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the competency graph on a generated province slice "
                    "(embedded store, fsync=always).")
    parser.add_argument("--students", type=int, default=scale.students)
    parser.add_argument("--results-per-student", type=int, default=scale.results_per_student)
    parser.add_argument("--seed", type=int, default=scale.seed)
    parser.add_argument("--repeats", type=int, default=defaults.repeats,
                        help="timing loops per figure; the median is quoted")
    parser.add_argument("--quick", action="store_true",
                        help="one repeat and short loops (smoke runs)")
    parser.add_argument("--requests", type=int, default=defaults.http_requests,
                        help="HTTP requests per timing loop")
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded",
                        help="neo4j: the Neo4j of NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD "
                             "(emptied first and afterwards, under /tmp/neo4j.lock)")
    parser.add_argument("--clients", type=int, default=defaults.http_clients,
                        help="concurrent HTTP clients (keep-alive connections)")
    parser.add_argument("--everysec", action="store_true",
                        help="also import students and results with appendfsync everysec")
    parser.add_argument("--work-dir", type=Path,
                        help="keep generated files and the store here (default: a temporary "
                             "directory, removed afterwards)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--candidates-only", action="store_true",
                        help="only the candidates query (students, results and "
                             "certifications imported, fsync off, no HTTP part)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.students < 1 or args.results_per_student < 1 or args.repeats < 1:
        print("error: --students, --results-per-student and --repeats must be positive",
              file=sys.stderr)
        return 2
    scale = Scale(students=args.students, results_per_student=args.results_per_student,
                  seed=args.seed)
    neo4j = None
    if args.backend == "neo4j":
        neo4j = Neo4jTarget.from_env()
        if neo4j is None or args.everysec or args.candidates_only:
            print("error: --backend neo4j needs NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD, and "
                  "takes neither --everysec nor --candidates-only", file=sys.stderr)
            return 2
    if args.candidates_only:
        from bench.matching import run_alone

        return run_alone(scale, args.repeats)
    run(Options(scale=scale, repeats=args.repeats, quick=args.quick,
                http_requests=args.requests, http_clients=args.clients,
                everysec=args.everysec, work_dir=args.work_dir,
                results_dir=args.results_dir, neo4j=neo4j))
    return 0


if __name__ == "__main__":
    sys.exit(main())
