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


def test_ship_writes_a_small_play_only_blueprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    import numpy as np

    from agents.registry import make_agent
    from games.registry import make_game
    from search.cfr.nl_blueprint import load_blueprint
    from tests.nolimit_blueprints import STRENGTH_GAME, strength_blueprint

    run = tmp_path / "run"
    run.mkdir()
    trained = strength_blueprint()
    shutil.copy2(trained, run / trained.name)
    shipped = tmp_path / "models" / "blueprint.npz"
    assert run_cli(main, ["--run", str(run), "--ship", str(shipped)]) == 0
    assert shipped.stat().st_size < trained.stat().st_size / 3
    full, small = load_blueprint(trained), load_blueprint(shipped)
    assert small.iterations == full.iterations and small.fingerprint == full.fingerprint
    assert np.abs(small.strategy - full.strategy).max() <= 2.0 / 255.0  # quantised (1/510), then renormalised
    game = make_game(STRENGTH_GAME)
    for spec in (f"cfr:checkpoint={shipped},translation=nearest", f"subgame:checkpoint={shipped},iters=5,seconds=0"):
        agent = make_agent(spec, game, seed=0)  # plays: the agents read it like a checkpoint
        state = game.new_state()
        while state.is_chance_node():
            state.apply(int(state.legal_actions()[0]))
        assert agent.act(state) in state.legal_actions()
        agent.close()
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    shutil.copy2(shipped, resumed / trained.name)
    (resumed / "config.json").write_text((trained.parent / "config.json").read_text())
    assert run_cli(main, ["--run", str(resumed), "--iterations", str(full.iterations + 2000)]) == 2
    assert run_cli(main, ["--run", str(tmp_path / "empty"), "--ship", str(shipped)]) == 2
    assert run_cli(main, ["--run", str(run), "--ship", str(run / "checkpoint-999999999999.npz")]) == 2
    assert run_cli(main, ["--run", str(trained.parent), "--ship", str(tmp_path / "first.npz"),
                          "--ship-iterations", "10000"]) == 0
    assert load_blueprint(tmp_path / "first.npz").iterations == 10_000
    assert run_cli(main, ["--run", str(run), "--ship", str(shipped), "--ship-iterations", "10000"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert "play-only" in err[0] and "no checkpoint" in err[1] and "outside the run folder" in err[2]
    assert "no checkpoint at 10000 iterations" in err[3]
    assert len(err) == 4 and all(e.startswith("error:") for e in err)
