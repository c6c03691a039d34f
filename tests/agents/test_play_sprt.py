"""``agents.play --sprt``: early stopping with a decision, the sprt object, the degenerate-sample LLR."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agents.arena.summary import summarize
from agents.play import main as play_main
from agents.play import sprt_result
from agents.arena.records import read_records
from agents.arena.stats import SprtConfig, expected_score, llr
from games.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]


def run_play(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agents.play", *args], capture_output=True, text=True,
                          timeout=180, cwd=ROOT, env=env)


def test_llr_of_equal_results_is_the_exact_trinomial_gsprt() -> None:
    cfg = SprtConfig(0.0, 100.0)
    s0, s1 = expected_score(0.0), expected_score(100.0)
    assert llr(12, 0, 0, cfg) == pytest.approx(12 * math.log(s1 / s0))
    assert llr(0, 0, 10, cfg) == pytest.approx(10 * math.log((1 - s1) / (1 - s0)))
    assert llr(0, 8, 0, cfg) == pytest.approx(8 * math.log(2 * (1 - s1)))  # draws favour H0 = 0
    assert llr(12, 0, 0, cfg) > cfg.upper > llr(11, 0, 0, cfg) > 0
    assert llr(0, 0, 0, cfg) == 0.0
    m = (9 + 0.5 * 2) / 14
    v = (9 * (1 - m) ** 2 + 2 * (0.5 - m) ** 2 + 3 * m ** 2) / 14
    assert llr(9, 2, 3, cfg) == pytest.approx(14 * (s1 - s0) * (2 * m - s0 - s1) / (2 * v))  # mixed: normal GSPRT
    summary = summarize([(1.0, -1.0), (1.0, -1.0)], [0, 1])  # A won from seat 0, lost from seat 1
    result = sprt_result(summary, cfg, 10)
    assert result["decision"] == "inconclusive" and result["games"] == 2 and result["llr"] == llr(1, 0, 1, cfg)


@pytest.mark.parametrize("first, second, decision", [("mcts:sims=200", "random", "H1"),
                                                     ("random", "mcts:sims=200", "H0")])
def test_far_stronger_or_weaker_agent_stops_early(first: str, second: str, decision: str, tmp_path: Path) -> None:
    proc = run_play("connect_four", first, second, "--games", "100", "--sprt", "elo0=0,elo1=100", "--out",
                    str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    sprt = data["sprt"]
    assert sprt["decision"] == decision and sprt["games"] == data["games"] < 100 and sprt["games"] % 2 == 0
    assert (sprt["llr"] >= sprt["upper"]) if decision == "H1" else (sprt["llr"] <= sprt["lower"])
    assert sprt["upper"] == pytest.approx(math.log(19)) and sprt["lower"] == pytest.approx(-math.log(19))
    records = list(read_records(tmp_path / "games.jsonl"))
    assert len(records) == data["games"]
    # it stopped at the first pair that crossed a bound, recomputed from the records
    returns, seats = [r.returns for r in records], [r.specs.index(first) for r in records]
    cfg = SprtConfig(0.0, 100.0)
    for n in range(2, len(records), 2):
        assert sprt_result(summarize(returns[:n], seats[:n]), cfg, 100)["decision"] == "inconclusive"
    assert sprt_result(summarize(returns, seats), cfg, 100) == sprt
    assert json.loads((tmp_path / "summary.json").read_text())["sprt"] == sprt


def test_inconclusive_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["connect_four", "random", "random:seed=9", "--games", "4", "--sprt", "elo0=0,elo1=10", "--out", "-"]
    assert run_cli(play_main, argv) == 0
    out = capsys.readouterr().out
    assert "SPRT inconclusive after 4 games" in out and "bounds [-2.944, +2.944]" in out


def test_bad_sprt_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(play_main, ["connect_four", "random", "random", "--sprt", "elo0=5,elo1=1", "--out", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "elo1 > elo0" in err and len(err.strip().splitlines()) == 1
