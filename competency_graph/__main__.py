"""``python -m competency_graph``: the ``competency-graph`` command."""

import sys

from competency_graph import main

sys.exit(main())
