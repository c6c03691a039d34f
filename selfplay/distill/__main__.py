"""``python -m selfplay.distill``: see :mod:`selfplay.distill.train`."""
import sys

from games.cli import run_cli
from selfplay.distill.train import main

sys.exit(run_cli(main))
