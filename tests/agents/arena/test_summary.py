"""Score, Elo and intervals against values computed by hand."""
from __future__ import annotations

import math

import pytest

from agents.arena.stats import (elo_from_score, elo_with_interval, mean_with_interval, paired_mean_with_interval,
                                score_of)
from agents.arena.summary import format_summary, summarize


def test_elo_from_score() -> None:
    assert elo_from_score(0.5) == 0.0
    assert elo_from_score(0.75) == pytest.approx(400 * math.log10(3))  # 190.85
    assert elo_from_score(0.25) == pytest.approx(-190.848501887865)
    assert elo_from_score(10 / 11) == pytest.approx(400.0)  # odds 10:1 = 400 Elo


def test_interval_by_hand() -> None:
    # scores 1, 1, 0.5, 0: mean 0.625; variance (2*0.375^2 + 0.125^2 + 0.625^2) / 4 = 0.171875;
    # se = sqrt(0.171875 / 4) = 0.207289; half = 1.959964 * se = 0.406279 -> scores [0.218721, 1.031279],
    # the top clipped to 1 - 1/16 = 0.9375. Elo: -400 log10(1/0.625 - 1) = 88.74;
    # low -400 log10(1/0.218721 - 1) = -221.17; high 400 log10(15) = 470.44.
    elo, (low, high) = elo_with_interval([1, 1, 0.5, 0])
    assert elo == pytest.approx(88.7395, abs=1e-3)
    assert low == pytest.approx(-221.17, abs=0.05)
    assert high == pytest.approx(400 * math.log10(15)) == pytest.approx(470.44, abs=0.01)


def test_perfect_scores_are_clipped() -> None:
    # 10 wins of 10: e = 1/40, s = 0.975 -> 400 log10(39) = 636.43; variance floored at 0.975 * 0.025,
    # half = 1.959964 * sqrt(0.024375 / 10) = 0.096766 -> low score 0.878234 -> 400 log10(0.878234/0.121766).
    elo, (low, high) = elo_with_interval([1.0] * 10)
    assert elo == pytest.approx(400 * math.log10(39)) and high == elo
    assert low == pytest.approx(400 * math.log10(0.878234 / 0.121766), abs=0.01)
    neg, (nlow, nhigh) = elo_with_interval([0.0] * 10)
    assert neg == pytest.approx(-elo) and nlow == pytest.approx(-elo) and nhigh == pytest.approx(-low)
    one_draw, (dlow, dhigh) = elo_with_interval([0.5])  # e = 1/4, variance floored at 3/16: [0.25, 0.75]
    assert one_draw == 0.0 and (dlow, dhigh) == pytest.approx((-190.848501887865, 190.848501887865))
    with pytest.raises(ValueError):
        elo_with_interval([])


def test_mean_with_interval_by_hand() -> None:
    # values 1, -1, 2, 0: mean 0.5; sample sd sqrt(5/3) = 1.290994; se 0.645497; half 1.265151
    mean, (low, high) = mean_with_interval([1, -1, 2, 0])
    assert mean == 0.5 and low == pytest.approx(0.5 - 1.265151, abs=1e-5) and high == pytest.approx(1.765151, abs=1e-5)
    assert mean_with_interval([3.0]) == (3.0, (3.0, 3.0))


def test_paired_interval_uses_pair_means() -> None:
    # pairs (1, 3) and (-1, 1) and a lone 2: units 2, 0, 2 -> mean 4/3, sd sqrt(4/3)
    mean, (low, high) = paired_mean_with_interval([1, 3, -1, 1, 2])
    assert mean == pytest.approx(4 / 3)
    assert high - mean == pytest.approx(1.959964 * math.sqrt(4 / 3) / math.sqrt(3), abs=1e-5)
    # perfectly anti-correlated luck within pairs cancels: zero width although every game differs
    assert paired_mean_with_interval([5, -3, -2, 4]) == (1.0, (1.0, 1.0))


def test_aivat_scores_are_summarised_when_given() -> None:
    returns = [(1.0, -1.0), (-2.0, 2.0), (0.0, 0.0), (1.0, -1.0)]
    summary = summarize(returns, [0, 1, 0, 1], poker=True, big_blind=1.0, aivat_of_a=[0.5, 0.5, 0.25, 0.75])
    assert summary.aivat_mbb_per_hand == pytest.approx(500.0) and summary.aivat_mbb_ci95 == pytest.approx((500, 500))
    assert "AIVAT" in format_summary(summary, "A", "B") and "aivat_mbb_ci95" in summary.to_json()
    assert "aivat_mbb_per_hand" not in summarize(returns, [0, 1, 0, 1], poker=True).to_json()


def test_summary_from_a_side_with_alternating_seats() -> None:
    # A sits in seat 0, 1, 0, 1: wins game 1 (seat 0), wins game 2 (seat 1), draws game 3, loses game 4.
    returns = [(1.0, -1.0), (-2.0, 2.0), (0.0, 0.0), (1.0, -1.0)]
    seats = [0, 1, 0, 1]
    assert [score_of(r, s) for r, s in zip(returns, seats)] == [1.0, 1.0, 0.5, 0.0]
    summary = summarize(returns, seats)
    assert (summary.games, summary.wins, summary.draws, summary.losses) == (4, 2, 1, 1)
    assert summary.score == 0.625 and summary.elo == pytest.approx(88.7395, abs=1e-3)
    assert "chips_per_hand" not in summary.to_json()
    poker = summarize(returns, seats, poker=True, big_blind=2.0)
    # A's chips: 1, 2, 0, -1 -> mean 0.5 chips = 250 mbb with a big blind of 2
    assert poker.chips_per_hand == 0.5 and poker.mbb_per_hand == 250.0
    assert poker.mbb_ci95 == pytest.approx((1000 * poker.chips_ci95[0] / 2, 1000 * poker.chips_ci95[1] / 2))
    text = format_summary(poker, "A", "B")
    assert "wins 2  draws 1  losses 1" in text and "mbb/hand +250.0" in text
    empty = summarize([], [])
    assert empty.games == 0 and empty.elo is None and "score -" in format_summary(empty, "A", "B")
