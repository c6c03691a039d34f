"""``python -m selfplay.nolimit_blueprint``: see :mod:`selfplay.nolimit_blueprint.train`."""
import sys

from games.cli import run_cli
from selfplay.nolimit_blueprint.train import main

sys.exit(run_cli(main))
