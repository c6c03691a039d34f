"""``python -m benchmarks.scaling``: see :mod:`benchmarks.scaling.study`."""
import sys

from benchmarks.scaling.study import main
from games.cli import run_cli

sys.exit(run_cli(main))
