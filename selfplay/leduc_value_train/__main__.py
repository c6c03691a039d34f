"""``python -m selfplay.leduc_value_train``: see :mod:`selfplay.leduc_value_train.train`."""
import sys

from games.cli import run_cli
from selfplay.leduc_value_train.train import main

sys.exit(run_cli(main))
