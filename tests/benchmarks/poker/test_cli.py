"""``python -m benchmarks.poker`` with tiny budgets: solve (+ export checked by pyspiel), speed, tradeoff, headsup."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from benchmarks.poker.cli import main
from games.cli import run_cli


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.poker", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_solve_json_and_export(tmp_path) -> None:
    pyspiel = pytest.importorskip("pyspiel")
    path = tmp_path / "policy.json"
    proc = _run("solve", "leduc_poker", "--algo", "cfr+", "--iters", "100", "--export", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["iterations"] == 100 and out["infostates"] == 936
    assert out["mbb_per_hand"] == pytest.approx(1000 * out["exploitability"])
    ref = pyspiel.CFRPlusSolver(pyspiel.load_game("leduc_poker"))
    for _ in range(100):
        ref.evaluate_and_update_policy()
    expected = pyspiel.exploitability(pyspiel.load_game("leduc_poker"), ref.average_policy())
    assert out["exploitability"] == pytest.approx(expected, rel=1e-6)
    table = json.loads(path.read_text())["policy"]
    policy = pyspiel.TabularPolicy({k: [(int(a), p) for a, p in v.items()] for k, v in table.items()})
    assert pyspiel.exploitability(pyspiel.load_game("leduc_poker"), policy) == pytest.approx(out["exploitability"],
                                                                                            rel=1e-6)


def test_help_lists_every_command() -> None:
    proc = _run("--help")
    assert proc.returncode == 0, proc.stderr
    for command in ("solve", "speed", "tradeoff", "headsup", "leaves", "agree"):
        assert command in proc.stdout


def test_agree_json_and_history_solve() -> None:
    pytest.importorskip("pyspiel")
    proc = _run("agree", "--games", "kuhn_poker", "--checkpoints", "10,200", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["history_agrees_3_digits"] and out["history_min_digits"] >= 9
    assert [r["algo"] for r in out["results"]] == ["cfr+", "dcfr"]
    assert [row["iterations"] for row in out["results"][0]["rows"]] == [10, 200]
    proc = _run("solve", "kuhn_poker", "--algo", "cfr+", "--order", "history", "--iters", "200", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["exploitability"] == pytest.approx(out["results"][0]["rows"][1]["reference"],
                                                                     rel=1e-9)
    proc = _run("agree", "--algos", "lcfr")
    assert proc.returncode == 2 and "references exist for cfr+ and dcfr" in proc.stderr


def test_solve_text_and_bad_input(capsys) -> None:
    proc = _run("solve", "kuhn_poker", "--algo", "dcfr", "--iters", "10")
    assert proc.returncode == 0 and "exploitability" in proc.stdout
    bad = _run("solve", "chess")
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
    bad_args = (["solve", "kuhn_poker", "--algo", "cfr++"], ["solve", "kuhn_poker", "--iters", "0"],
                ["tradeoff", "--blueprints", "x"], ["tradeoff", "--horizon", "street"], ["nonsense"],
                ["headsup", "chess", "random", "random"], ["headsup", "leduc_poker", "cfr:iters=0", "random"],
                ["headsup", "leduc_poker", "random", "random", "--hands", "2"])
    for args in bad_args:  # in-process: the same run_cli wrapper as ``python -m``
        assert run_cli(main, args) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and "Traceback" not in err and err.count("\n") == 1


def test_speed_json() -> None:
    proc = _run("speed", "--seconds", "0.3", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for key in ("iters_per_s", "openspiel_cpp_iters_per_s", "ratio_vs_openspiel_cpp"):
        assert out[key] > 0
    assert set(out["dcfr"]["exploitability_at"]) == {"0.3s"}


def test_tradeoff_report(tmp_path) -> None:
    out_dir = tmp_path / "tradeoff"
    proc = _run("tradeoff", "--blueprints", "10,30", "--subgame-iters", "0,20", "--out", str(out_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["cells"]) == 2 * 2 * 2 and out["safe_never_worse"]
    assert out["horizon"] == "game" and out["first"] == 1
    for name in ("report.md", "report.html", "results.json", "tradeoff_safe.png", "tradeoff_unsafe.png"):
        assert (out_dir / name).exists()
    assert out["provenance"]["command"].startswith("python -m benchmarks.poker tradeoff --blueprints 10,30")
    assert json.loads((out_dir / "results.json").read_text())["provenance"]["git"] == out["provenance"]["git"]
    assert "## How to make this again" in (out_dir / "report.md").read_text()
    for c in out["cells"]:
        assert c["mbb_per_hand"] == pytest.approx(1000 * c["exploitability"])
        if c["subgame_iters"] == 0:
            assert c["exploitability"] == pytest.approx(c["blueprint_exploitability"])


def test_headsup_leduc_exact_and_sampled(tmp_path) -> None:
    env = dict(os.environ, GAMESEARCH_CACHE=str(tmp_path / "cache"))
    proc = _run("headsup", "leduc_poker", "subgame:blueprint=10,iters=30", "cfr:iters=10", "--hands", "400",
                "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["hands"] == 400 and out["pairs"] == 200
    lo, hi = out["ci95_mbb_per_hand"]
    assert lo < out["mbb_per_hand"] < hi
    aivat = out["aivat"]
    for sampled in (out, aivat):  # both estimates agree with the exact value (3 standard errors)
        assert abs(sampled["mbb_per_hand"] - out["exact_mbb_per_hand"]) < 3 * sampled["stderr_mbb_per_hand"]
    assert aivat["stderr_mbb_per_hand"] < 0.7 * out["stderr_mbb_per_hand"]  # variance reduction


def test_headsup_holdem_text(tmp_path) -> None:
    env = dict(os.environ, GAMESEARCH_CACHE=str(tmp_path / "cache"))
    proc = _run("headsup", "holdem_limit", "subgame:blueprint=100,buckets=3,iters=10", "cfr:iters=100,buckets=3",
                "--hands", "8", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "mbb/hand" in proc.stdout and "95%" in proc.stdout
