"""``python -m selfplay.train`` input errors (no Ray started): one line, exit status 2; config parsing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agents.nets.core import NetConfig
from selfplay.core import ConfigError, TrainConfig

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "selfplay.train", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_bad_input_is_one_line_and_status_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"learner": {"batch_size": 0}}))
    cases = [
        (["connect_four", "--steps", "2", "--out", str(tmp_path / "r"), "--config", str(bad)], "batch_size"),
        (["connect_four", "--out", str(tmp_path / "r")], "give a budget"),
        (["connect_four", "--steps", "2", "--out", str(tmp_path / "none"), "--resume"], "no checkpoint"),
    ]
    for args, message in cases:
        proc = _run(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("error: ") and message in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_config_round_trip_and_type_checks(tmp_path: Path) -> None:
    cfg = TrainConfig(game="connect_four", network=NetConfig(kind="recurrent", iters=3), workers=3)
    cfg.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == cfg
    assert TrainConfig.from_dict({"game": "connect_four", "learner": {"lr": 1}}).learner.lr == 1.0
    with pytest.raises(ConfigError, match="simulations must be int"):
        TrainConfig.from_dict({"game": "connect_four", "selfplay": {"simulations": "many"}})
    with pytest.raises(ConfigError, match="unknown field.*depth in config.network"):
        TrainConfig.from_dict({"game": "connect_four", "network": {"depth": 3}})
