"""Sequential probability ratio test for matches, as cutechess-cli and fishtest stop them early.

Hypotheses on the logistic Elo difference of A over B: H0 ``elo = elo0`` against H1 ``elo = elo1``.
The log-likelihood ratio uses the generalized SPRT's normal approximation of the trinomial
(win/draw/loss) score distribution (Van den Bergh): with ``N`` games, mean score ``m`` and per-game score
variance ``v``, ``LLR = N (s1 - s0) (2 m - s0 - s1) / (2 v)`` where ``s_i`` is the expected score at
``elo_i``. The test stops when the LLR leaves ``[log(β/(1-α)), log((1-β)/α)]``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from games.core import InputError


class SprtSpecError(InputError):
    """A malformed ``--sprt`` option."""


@dataclass(frozen=True)
class SprtConfig:
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
    """``elo0=0,elo1=10[,alpha=0.05,beta=0.05]``."""
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
    cfg = SprtConfig(**values)
    if not cfg.elo1 > cfg.elo0:
        raise SprtSpecError("--sprt needs elo1 > elo0")
    if not (0 < cfg.alpha < 0.5 and 0 < cfg.beta < 0.5):
        raise SprtSpecError("--sprt alpha and beta must lie in (0, 0.5)")
    return cfg


def expected_score(elo: float) -> float:
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


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
