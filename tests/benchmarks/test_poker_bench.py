"""``python -m benchmarks.poker`` with tiny budgets: solve (+ export checked by pyspiel), speed, tradeoff, headsup."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.poker", *args], capture_output=True, text=True,
                          timeout=300)


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


def test_solve_text_and_bad_input() -> None:
    proc = _run("solve", "kuhn_poker", "--algo", "dcfr", "--iters", "10")
    assert proc.returncode == 0 and "exploitability" in proc.stdout
    bad_args = (["solve", "chess"], ["solve", "kuhn_poker", "--algo", "cfr++"], ["solve", "kuhn_poker", "--iters", "0"],
                ["tradeoff", "--blueprints", "x"], ["nonsense"])
    for args in bad_args:
        bad = _run(*args)
        assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


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
    for name in ("report.md", "report.html", "results.json", "tradeoff_safe.png", "tradeoff_unsafe.png"):
        assert (out_dir / name).exists()
    zero = [c for c in out["cells"] if c["subgame_iters"] == 0]
    assert all(c["exploitability"] == pytest.approx(c["blueprint_exploitability"]) for c in zero)


def test_headsup_json() -> None:
    proc = _run("headsup", "--blueprint", "10", "--iters", "20", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["exploitability"] <= out["blueprint_exploitability"] + 1e-12
