"""``python -m selfplay.sudoku_think``: see :mod:`selfplay.sudoku_think.cli`."""
import sys

from games.cli import run_cli
from selfplay.sudoku_think.cli import main

sys.exit(run_cli(main))
