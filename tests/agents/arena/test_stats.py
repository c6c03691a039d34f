"""SPRT: bounds, decisions on simulated matches, error rates near their nominal values."""
from __future__ import annotations

import math

import numpy as np
import pytest

from agents.arena.stats import SprtConfig, SprtSpecError, expected_score, llr, parse_sprt, sprt_decision


def test_parse_and_bounds():
    cfg = parse_sprt("elo0=0,elo1=10")
    assert (cfg.elo0, cfg.elo1, cfg.alpha, cfg.beta) == (0, 10, 0.05, 0.05)
    assert cfg.upper == pytest.approx(math.log(19)) and cfg.lower == pytest.approx(-math.log(19))
    for bad in ("elo0=abc,elo1=1", "elo1=0,elo0=5", "foo=1", "elo0=0,elo1=5,alpha=0.7", "elo0=0", "elo1=10",
                "elo0=0,elo1=inf"):
        with pytest.raises(SprtSpecError):
            parse_sprt(bad)


def test_llr_sign_and_hand_value():
    cfg = SprtConfig(0, 50)
    assert llr(0, 0, 0, cfg) == 0.0
    assert llr(60, 20, 20, cfg) > 0 > llr(20, 20, 60, cfg)
    # hand computation: n=10, 6 wins 4 losses: mean .6, var .24
    s0, s1 = 0.5, expected_score(50)
    assert llr(6, 0, 4, cfg) == pytest.approx(10 * (s1 - s0) * (1.2 - s0 - s1) / 0.48)


def _run(true_elo: float, cfg: SprtConfig, rng: np.random.Generator, max_games: int = 20000) -> str | None:
    p = expected_score(true_elo)
    w = d = l = 0
    for _ in range(max_games):
        u = rng.random()
        if u < p - 0.1:
            w += 1
        elif u < p + 0.1:
            d += 1
        else:
            l += 1
        decision = sprt_decision(w, d, l, cfg)
        if decision:
            return decision
    return None


def test_error_rates_near_nominal():
    cfg = SprtConfig(0, 40, 0.05, 0.05)
    rng = np.random.default_rng(7)
    under_h0 = [_run(0, cfg, rng) for _ in range(200)]
    under_h1 = [_run(40, cfg, rng) for _ in range(200)]
    assert under_h0.count("H1") / 200 < 0.10
    assert under_h1.count("H0") / 200 < 0.10
    assert under_h0.count("H0") > 150 and under_h1.count("H1") > 150


def test_likelihood_of_superiority_and_normal_interval() -> None:
    from agents.arena.stats import Z95, likelihood_of_superiority, normal_interval

    assert likelihood_of_superiority(0.0, 4.0) == 0.5
    assert likelihood_of_superiority(2.0, 4.0) == pytest.approx(0.841344746, abs=1e-8)  # Phi(1)
    assert likelihood_of_superiority(-2.0, 4.0) == pytest.approx(1 - 0.841344746, abs=1e-8)
    assert likelihood_of_superiority(3.0, 0.0) == 1.0
    assert normal_interval(10.0, 2.0) == pytest.approx((10 - 2 * Z95, 10 + 2 * Z95))


def test_pair_means_keep_an_odd_last_game() -> None:
    from agents.arena.stats import pair_means

    assert pair_means([1.0, 0.0, 2.0, 4.0, 7.0]).tolist() == [0.5, 3.0, 7.0]
