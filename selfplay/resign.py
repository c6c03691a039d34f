"""The resignation threshold, calibrated on check games (AlphaGo Zero's practice).

A fixed threshold goes wrong as the network's values change: a confident network resigns games it could
still have saved, and every such game teaches the value head a wrong result. AlphaGo Zero played 10% of
games to the end whatever the value said and chose ``v_resign`` so that fewer than 5% of resignations
were false positives. Here each check game keeps the root value of every move for its mover. For any
threshold ``t`` the would-be resigner of a check game is the mover of its first position valued below
``-t``; the resignation is a false positive when that mover did not lose (a draw counts: resigning it
turned half a point into nothing). :meth:`ResignCalibrator.threshold` picks the most eager ``t`` of a
grid whose false-positive rate over the recent check games is at most the target, once at least
``min_resignations`` of those games would have resigned at ``t``.
"""
from __future__ import annotations

from collections import deque

import numpy as np

GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99)
"""Thresholds the calibration chooses from (resign below ``-t``); beyond them resignation is off."""
NEVER = 1.0
"""A threshold no value reaches (values lie in [-1, 1]): no game resigns."""


class ResignCalibrator:
    """The recent check games' value traces and outcomes, and the threshold they support.

    Args:
        target: the largest false-positive rate allowed (AlphaGo Zero: 0.05).
        window: check games kept (the newest).
        min_resignations: would-be resignations at a threshold needed before it can be chosen.
    """

    def __init__(self, target: float, window: int = 500, min_resignations: int = 20) -> None:
        if not 0 < target < 1:
            raise ValueError(f"target false-positive rate must be in (0, 1); got {target}")
        self.target, self.min_resignations = target, min_resignations
        self._games: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=window)

    def add(self, root_values: np.ndarray, outcomes: np.ndarray) -> None:
        """One check game: the mover's root value and the mover's final result (scaled, [-1, 1]) per move."""
        v = np.asarray(root_values, np.float32)
        o = np.asarray(outcomes, np.float32)
        if v.shape != o.shape:
            raise ValueError(f"root values {v.shape} and outcomes {o.shape} differ in length")
        if v.size:
            self._games.append((v, o))

    def __len__(self) -> int:
        return len(self._games)

    def false_positives(self, t: float) -> tuple[int, int]:
        """(would-be resignations, false positives among them) at threshold ``t`` over the window."""
        resigned = wrong = 0
        for values, outcomes in self._games:
            below = np.flatnonzero(values < -t)
            if below.size:
                resigned += 1
                wrong += int(outcomes[below[0]] >= 0.0)
        return resigned, wrong

    def threshold(self, current: float) -> float:
        """The most eager threshold of :data:`GRID` whose false-positive rate is at most the target.

        Only thresholds with ``min_resignations`` would-be resignations are judged. ``current`` while none
        is; when every judged one is wrong too often, the next stricter grid value (still unjudged) but
        never more eager than ``current``, or :data:`NEVER` past the grid's end."""
        strictest = None
        for i, t in enumerate(GRID):
            resigned, wrong = self.false_positives(float(t))
            if resigned < self.min_resignations:
                continue
            if wrong <= self.target * resigned:
                return float(t)
            strictest = i
        if strictest is None:
            return current
        return max(current, float(GRID[strictest + 1])) if strictest + 1 < len(GRID) else NEVER
