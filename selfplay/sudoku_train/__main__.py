"""``python -m selfplay.sudoku_train``: see :mod:`selfplay.sudoku_train.train`."""
import sys

from games.cli import run_cli
from selfplay.sudoku_train.train import main

sys.exit(run_cli(main))
