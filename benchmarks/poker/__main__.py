"""``python -m benchmarks.poker``: see :mod:`benchmarks.poker.cli`."""
import sys

from benchmarks.poker.cli import main
from games.cli import run_cli

sys.exit(run_cli(main))
