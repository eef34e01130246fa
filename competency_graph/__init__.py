"""The installed application's one top-level name.

The project is known by its folders ``graph/``, ``schema/``, ``seed/`` and ``service/``, and
its code imports them by those absolute names. Installed as top-level packages they would
shadow PyPI packages of the same name (``schema``, ``graph``) for every program in the
environment. So the wheel puts them under ``competency_graph/_app/``, off the default import
path, and the entry points below put that folder first on the import path of the
application's own process only (the way zipapp bundlers such as shiv or pex keep an
application's packages private). ``serve``'s worker processes are spawned by
``multiprocessing``, which hands them the parent's ``sys.path``.

In a source checkout (an editable install, the tests) there is no ``_app`` folder: the
checkout's root is on the path and nothing changes.

The limit: the application's packages and another package named ``schema`` cannot be
imported into one Python process; in different processes of one environment they coexist
(``tests/test_packaging.py`` builds the wheel and proves both). Renaming every import to
``competency_graph.<name>`` would lift that limit too; see README "Packaging".
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["APP_DIR", "main"]

APP_DIR = Path(__file__).resolve().parent / "_app"


def _use_app_dir() -> None:
    """Put the wheel's private package folder first on this process's import path."""
    if APP_DIR.is_dir() and str(APP_DIR) not in sys.path:
        sys.path.insert(0, str(APP_DIR))


def main(argv: list[str] | None = None) -> int:
    """The ``competency-graph`` command."""
    _use_app_dir()
    from service.cli import main as cli_main

    return cli_main(argv)
