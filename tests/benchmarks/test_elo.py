"""Elo fit: agrees with an independent scipy optimisation and recovers known ratings."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.optimize import minimize

from agents.arena.stats import ELO_K as K
from benchmarks.elo import EloFitError, fit_elo, games_from_records, games_from_results


def _synthetic(true: dict[str, float], adv: float, games_per_pair: int, seed: int, draw_rate: float = 0.2):
    rng = np.random.default_rng(seed)
    names = list(true)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for g in range(games_per_pair):
                first, second = (a, b) if g % 2 == 0 else (b, a)
                p = 1 / (1 + 10 ** (-(true[first] - true[second] + adv) / 400))
                # draws with a fixed share, keeping the expected score p
                d = min(draw_rate, 2 * min(p, 1 - p))
                u = rng.random()
                s = 1.0 if u < p - d / 2 else (0.5 if u < p + d / 2 else 0.0)
                rows.append((first, second, s))
    return games_from_results(rows)


def _scipy_fit(games, anchor: str, anchor_value: float):
    """Independent fit: direct minimisation of the negative log-likelihood with BFGS."""
    n = len(games.players)
    a_idx = games.players.index(anchor)
    free = [i for i in range(n) if i != a_idx]

    def unpack(theta):
        r = np.full(n, anchor_value)
        r[free] = theta[:-1]
        return r, theta[-1]

    def nll(theta):
        r, adv = unpack(theta)
        x = K * (r[games.first] - r[games.second] + adv)
        return float(np.sum(np.logaddexp(0, -x) * games.score + np.logaddexp(0, x) * (1 - games.score)))

    res = minimize(nll, np.zeros(len(free) + 1), method="BFGS", options={"gtol": 1e-10})
    r, adv = unpack(res.x)
    return dict(zip(games.players, r)), adv


def test_matches_independent_scipy_fit_within_one_elo():
    games = _synthetic({"a": 0, "b": 150, "c": -80, "d": 400, "e": 220}, adv=35, games_per_pair=60, seed=3)
    ours = fit_elo(games, {"a": 0.0}, virtual_draws=0.0)
    ref, ref_adv = _scipy_fit(games, "a", 0.0)
    for name in games.players:
        assert ours.ratings[name].elo == pytest.approx(ref[name], abs=1.0)
    assert ours.advantage == pytest.approx(ref_adv, abs=1.0)


def test_recovers_known_ratings_within_intervals():
    true = {"random": 0.0, "p1": 200.0, "p2": 450.0, "p3": 600.0}
    games = _synthetic(true, adv=50, games_per_pair=1500, seed=11)
    fit = fit_elo(games, {"random": 0.0}, virtual_draws=0.0)
    for name, value in true.items():
        r = fit.ratings[name]
        assert abs(r.elo - value) < 4 * max(r.stderr, 1e-9) + 1e-9
        assert r.ci95[0] <= r.elo <= r.ci95[1]
    assert fit.advantage == pytest.approx(50, abs=4 * fit.advantage_stderr)
    assert fit.ratings["random"].anchor and fit.ratings["random"].stderr == 0.0
    assert fit.los("p3", "p2") > 0.99 and fit.los("p2", "p3") < 0.01


def test_hessian_stderr_matches_bootstrap_spread():
    true = {"a": 0.0, "b": 100.0, "c": 250.0}
    games = _synthetic(true, adv=0, games_per_pair=400, seed=5)
    fit = fit_elo(games, {"a": 0.0}, virtual_draws=0.0, fit_advantage=False)
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(60):
        idx = rng.integers(0, len(games.score), len(games.score))
        sub = games_from_results([(games.players[games.first[i]], games.players[games.second[i]], games.score[i]) for i in idx])
        boot.append(fit_elo(sub, {"a": 0.0}, virtual_draws=0.0, fit_advantage=False).ratings["c"].elo)
    assert np.std(boot) == pytest.approx(fit.ratings["c"].stderr, rel=0.35)


def test_perfect_score_is_finite_with_virtual_draws():
    games = games_from_results([("strong", "weak", 1.0), ("weak", "strong", 0.0)] * 10)
    fit = fit_elo(games, {"weak": 0.0}, virtual_draws=1.0)
    assert math.isfinite(fit.ratings["strong"].elo) and fit.ratings["strong"].elo > 300
    assert fit.ratings["strong"].games == 20 and fit.ratings["strong"].score == 1.0


def test_errors():
    with pytest.raises(EloFitError, match="anchor"):
        fit_elo(games_from_results([("a", "b", 1.0)]), {"zzz": 0.0})
    with pytest.raises(EloFitError, match="not linked"):
        fit_elo(games_from_results([("a", "b", 1.0), ("c", "d", 0.5)]), {"a": 0.0})


def test_reads_jsonl_records(tmp_path):
    lines = [{"specs": ["x", "y"], "returns": [1.0, -1.0]}, {"specs": ["y", "x"], "returns": [0.0, 0.0]}]
    (tmp_path / "games.jsonl").write_text("\n".join(json.dumps(l) for l in lines) + "\n")
    games = games_from_records([tmp_path])
    assert games.players == ("x", "y") and list(games.score) == [1.0, 0.5]
    (tmp_path / "bad.jsonl").write_text("not json\n")
    with pytest.raises(EloFitError, match="not a game record"):
        games_from_records([tmp_path])


def test_cli_writes_report_and_json(tmp_path):
    import subprocess
    import sys

    games = _synthetic({"random": 0, "mcts:sims=8": 300, "mcts:sims=64": 500}, adv=20, games_per_pair=40, seed=2)
    with open(tmp_path / "games.jsonl", "w") as f:
        for a, b, s in zip(games.first, games.second, games.score):
            rets = [1.0, -1.0] if s == 1 else ([0.0, 0.0] if s == 0.5 else [-1.0, 1.0])
            f.write(json.dumps({"specs": [games.players[a], games.players[b]], "returns": rets}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "benchmarks.elo", str(tmp_path), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["ratings"]["random"]["elo"] == 0.0
    assert out["ratings"]["mcts:sims=64"]["elo"] > out["ratings"]["mcts:sims=8"]["elo"] > 0
    for name in ("report.md", "report.html", "ratings.json", "ratings.png", "results.json"):
        assert (tmp_path / name).stat().st_size > 0
    assert "data:image/png;base64" in (tmp_path / "report.html").read_text()
    bad = subprocess.run([sys.executable, "-m", "benchmarks.elo", str(tmp_path), "--anchor", "nonsense"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "malformed anchor" in bad.stderr and "Traceback" not in bad.stderr
