"""``python -m benchmarks.sudoku``: see :mod:`benchmarks.sudoku.speed`."""
import sys

from benchmarks.sudoku.speed import main
from games.cli import run_cli

sys.exit(run_cli(main))
