"""The one statistics module: scores, Elo differences, intervals, likelihood of superiority and the SPRT.

Everything that turns game results into an Elo number or an interval comes from here: match summaries
(:mod:`agents.arena.summary`), the SPRT of ``agents.play --sprt``, training curves, heads-up poker
matches and the Bradley–Terry fit of :mod:`benchmarks.elo` (which adds only its likelihood).

**Scale**: logistic Elo, expected score ``E(d) = 1 / (1 + 10^(-d / 400))``, i.e. natural-log odds
``ELO_K * d`` with ``ELO_K = ln 10 / 400``; from a score ``s``: ``d = -400 log10(1/s - 1)``.

**Match interval**: the per-game score ``x`` (1, 0.5 or 0) is a trinomial variable; its variance is
estimated as ``v = mean((x - s)^2)`` and the score interval is ``s ± 1.96 sqrt(v / n)``; each end is
turned into Elo with the formula above. A score of exactly 0 or 1 has an infinite Elo: every score
(the estimate and both ends) is clipped into ``[e, 1 - e]`` with ``e = 1 / (4n)`` — a quarter of a game
— and the variance is floored at ``e (1 - e)``, so that a perfect score still gets a one-sided interval
instead of a zero-width one. With 10 wins out of 10: ``s = 0.975``, Elo +636, interval [+343, +636].

**Means** (chips per hand, scores over duplicate pairs): mean ± 1.96 standard errors (ddof 1); games
played in duplicate pairs use the pairs' means as units (:func:`paired_mean_with_interval`).

**Likelihood of superiority**: ``LOS = Φ(d / sd(d))`` for an estimated difference ``d``.

**SPRT** (as cutechess-cli and fishtest stop matches early): H0 ``elo = elo0`` against H1 ``elo =
elo1``; the log-likelihood ratio uses the generalized SPRT's normal approximation of the trinomial
score distribution (Van den Bergh): with ``N`` games, mean score ``m`` and per-game score variance
``v``, ``LLR = N (s1 - s0) (2 m - s0 - s1) / (2 v)`` where ``s_i = E(elo_i)``. The test stops when the
LLR leaves ``[log(β/(1-α)), log((1-β)/α)]``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from games.core import InputError

Z95 = 1.959963984540054
"""Two-sided 95% normal quantile."""
ELO_K = math.log(10.0) / 400.0
"""Elo points to natural-log odds of the expected score."""


# ----- scores and Elo ------------------------------------------------------------------------------------
def score_of(returns: Sequence[float], seat: int = 0) -> float:
    """The score of ``seat`` in a two-player game: 1 win, 0.5 draw, 0 loss (by comparing returns)."""
    mine, theirs = returns[seat], returns[1 - seat]
    if mine > theirs:
        return 1.0
    if mine < theirs:
        return 0.0
    return 0.5


def expected_score(elo: float) -> float:
    """Expected score of a player ``elo`` points stronger than the opponent."""
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


def elo_from_score(score: float) -> float:
    """Logistic Elo difference of a score strictly between 0 and 1."""
    return -400.0 * math.log10(1.0 / score - 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0


# ----- intervals -----------------------------------------------------------------------------------------
def normal_interval(estimate: float, stderr: float) -> tuple[float, float]:
    """``estimate ± 1.96 stderr``: the 95% normal interval."""
    half = Z95 * stderr
    return estimate - half, estimate + half


def elo_with_interval(scores: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """(elo, (low, high)) from per-game scores, clipped as the module docstring says; needs >= 1 game."""
    x = np.asarray(scores, dtype=np.float64)
    n = len(x)
    if n == 0:
        raise ValueError("no games")
    eps = 0.25 / n
    mean = float(x.mean())
    clipped = min(max(mean, eps), 1.0 - eps)
    var = max(float(np.mean((x - mean) ** 2)), eps * (1.0 - eps))
    low, high = normal_interval(clipped, math.sqrt(var / n))
    low = min(max(low, eps), 1.0 - eps)
    high = min(max(high, eps), 1.0 - eps)
    return elo_from_score(clipped), (elo_from_score(low), elo_from_score(high))


def mean_stderr(values: Sequence[float]) -> float:
    """Standard error of the mean (sample sd, ddof=1); 0 for one value, inf for none."""
    x = np.asarray(values, dtype=np.float64)
    if len(x) == 0:
        return math.inf
    return float(x.std(ddof=1)) / math.sqrt(len(x)) if len(x) > 1 else 0.0


def mean_with_interval(values: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """(mean, (low, high)): mean ± 1.96 standard errors (sample sd, ddof=1; zero width for one value)."""
    x = np.asarray(values, dtype=np.float64)
    if len(x) == 0:
        raise ValueError("no values")
    mean = float(x.mean())
    return mean, normal_interval(mean, mean_stderr(x))


def pair_means(values: Sequence[float]) -> np.ndarray:
    """The means of games (0, 1), (2, 3), ... played in consecutive duplicate pairs; an odd last game is
    a unit of its own."""
    x = np.asarray(values, dtype=np.float64)
    whole = len(x) // 2 * 2
    return np.concatenate([x[:whole].reshape(-1, 2).mean(axis=1), x[whole:]])


def paired_mean_with_interval(values: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """(mean, 95% interval) of per-game values played in consecutive duplicate pairs: the estimate is the
    mean of the pairs' means (:func:`pair_means`) and the interval ±1.96 of their standard error."""
    if len(values) == 0:
        raise ValueError("no values")
    return mean_with_interval(pair_means(values))


def likelihood_of_superiority(difference: float, variance: float) -> float:
    """P(true difference > 0) for an estimate ``difference`` with ``variance``: ``Φ(d / sd)``."""
    if variance <= 0:
        return 0.5 if difference == 0 else float(difference > 0)
    return 0.5 * (1.0 + math.erf(difference / math.sqrt(2.0 * variance)))


# ----- SPRT ----------------------------------------------------------------------------------------------
class SprtSpecError(InputError):
    """A malformed ``--sprt`` option."""


@dataclass(frozen=True)
class SprtConfig:
    """Hypotheses and error rates of a sequential probability ratio test."""

    elo0: float = 0.0
    """Elo difference under the null hypothesis."""
    elo1: float = 10.0
    """Elo difference under the alternative."""
    alpha: float = 0.05
    """False-positive rate (accepting H1 when H0 holds)."""
    beta: float = 0.05
    """False-negative rate."""

    @property
    def lower(self) -> float:
        return math.log(self.beta / (1 - self.alpha))

    @property
    def upper(self) -> float:
        return math.log((1 - self.beta) / self.alpha)


def parse_sprt(text: str) -> SprtConfig:
    """``elo0=0,elo1=10[,alpha=0.05,beta=0.05]``: both hypotheses must be given (no silent default)."""
    values: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in ("elo0", "elo1", "alpha", "beta"):
            raise SprtSpecError(f"malformed --sprt '{text}' (expected elo0=A,elo1=B[,alpha=..,beta=..])")
        try:
            values[key] = float(value)
        except ValueError:
            raise SprtSpecError(f"--sprt: {key} must be a number, got '{value}'") from None
        if not math.isfinite(values[key]):
            raise SprtSpecError(f"--sprt: {key} must be finite, got '{value}'")
    missing = [key for key in ("elo0", "elo1") if key not in values]
    if missing:
        raise SprtSpecError(f"--sprt '{text}' needs {' and '.join(missing)} (both hypotheses, e.g. elo0=0,elo1=10)")
    cfg = SprtConfig(**values)
    if not cfg.elo1 > cfg.elo0:
        raise SprtSpecError("--sprt needs elo1 > elo0")
    if not (0 < cfg.alpha < 0.5 and 0 < cfg.beta < 0.5):
        raise SprtSpecError("--sprt alpha and beta must lie in (0, 0.5)")
    return cfg


def llr(wins: int, draws: int, losses: int, cfg: SprtConfig) -> float:
    """Log-likelihood ratio of H1 against H0 after these results (0 before any game).

    Mixed results use the normal approximation of the GSPRT (fishtest's). When every game had the same
    result the score variance is 0 and that approximation is undefined; the exact trinomial ratio is used
    instead: ``n log(p(s1) / p(s0))`` with ``p(s) = s`` for wins, ``1 - s`` for losses and
    ``1 - |2 s - 1|`` for draws (the likeliest distribution with mean score ``s`` giving that sample).
    """
    n = wins + draws + losses
    if n == 0:
        return 0.0
    s0, s1 = expected_score(cfg.elo0), expected_score(cfg.elo1)
    if n in (wins, draws, losses):
        def prob(s: float) -> float:
            return s if wins else (1.0 - s if losses else 1.0 - abs(2.0 * s - 1.0))

        return n * (math.log(prob(s1)) - math.log(prob(s0)))
    mean = (wins + 0.5 * draws) / n
    var = (wins * (1 - mean) ** 2 + draws * (0.5 - mean) ** 2 + losses * mean ** 2) / n
    return n * (s1 - s0) * (2 * mean - s0 - s1) / (2 * var)


def sprt_decision(wins: int, draws: int, losses: int, cfg: SprtConfig) -> str | None:
    """"H1" (A is elo1 stronger), "H0", or None to keep playing."""
    value = llr(wins, draws, losses, cfg)
    if value >= cfg.upper:
        return "H1"
    if value <= cfg.lower:
        return "H0"
    return None
