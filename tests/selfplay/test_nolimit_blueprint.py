"""``python -m selfplay.nolimit_blueprint``: trains and resumes through the command line, prints nothing,
turns bad input into one ``error:`` line and exit status 2."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from games.cli import run_cli
from search.cfr.nl_blueprint import checkpoints, load_checkpoint
from selfplay.nolimit_blueprint.train import main
from tests.search.test_nl_blueprint import KUHN


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def _iterations(run: Path) -> list[int]:
    return [json.loads(line)["iterations"] for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_command_line_trains_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kuhn.json"
    config.write_text(json.dumps(KUHN.to_dict()))
    run = tmp_path / "run"
    assert run_cli(main, ["--run", str(run), "--config", str(config), "--iterations", "8000",
                          "--checkpoint-every", "4000"]) == 0
    assert _iterations(run) == [4_000, 8_000]
    assert run_cli(main, ["--run", str(run), "--iterations", "12000"]) == 0  # resumes with the saved config
    assert load_checkpoint(checkpoints(run)[-1])[2].iterations == 12_000
    assert capsys.readouterr().out == ""
    assert run_cli(main, ["--run", str(run), "--iterations", "20000", "--kuhn-cards", "5"]) == 2
    assert run_cli(main, ["--run", str(tmp_path / "x"), "--game", "holdem_nolimit(stack=x)"]) == 2
    assert run_cli(main, ["--run", str(tmp_path / "x"), "--iterations", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and "kuhn_cards" in err and "stack 'x'" in err and "--iterations" in err


def test_cards_only_and_module_entry_point(tmp_path: Path) -> None:
    config = tmp_path / "kuhn.json"
    config.write_text(json.dumps(KUHN.to_dict()))
    assert run_cli(main, ["--run", str(tmp_path / "run"), "--config", str(config), "--cards-only"]) == 0
    assert not (tmp_path / "run").exists()
    proc = subprocess.run([sys.executable, "-m", "selfplay.nolimit_blueprint", "--run", str(tmp_path / "r"),
                           "--config", str(config), "--iterations", "2000", "--checkpoint-every", "2000"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and _iterations(tmp_path / "r") == [2_000]
