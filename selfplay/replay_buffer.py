"""Replay buffer (plain class): a bounded ring of positions filled with whole games.

Sampling is uniform over the window, or by recency: a position's weight halves every
``recency_half_life`` positions of age. The buffer also counts what the games say about the run:
how each ended (:attr:`~selfplay.core.PlayedGame.termination`), their length, and the false-positive
rates of resignation and draw adjudication measured on check games.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from selfplay.core import PlayedGame, ReplayConfig
from selfplay.resign import ResignCalibrator


class ReplayBuffer:
    """Holds up to ``config.capacity`` positions; arrays are allocated from the first game's shapes."""

    def __init__(self, config: ReplayConfig, seed: int = 0, resign_target: float = 0.0) -> None:
        self.config = config
        self.resign = ResignCalibrator(resign_target) if resign_target > 0 else None
        """Resignation calibration from the check games' value traces (None: the threshold stays fixed)."""
        self.rng = np.random.default_rng(seed)
        self.size = 0
        """Positions held now."""
        self.positions_added = 0
        """Positions received since the start (also the write cursor before the modulo)."""
        self.games_added = 0
        self.resign_checks = 0
        """Resignation-check games in which someone would have resigned."""
        self.resign_false_positives = 0
        """... and that player did not lose."""
        self.draw_checks = 0
        """Check games in which draw adjudication would have fired."""
        self.draw_false_positives = 0
        """... and that ended decisively."""
        self.terminations: Counter[str] = Counter()
        """Games by how they ended."""
        self.plies_added = 0
        """Plies of all games received."""
        self._arrays: dict[str, np.ndarray] | None = None
        self._stamp = np.zeros(config.capacity, np.int64)  # positions_added at insertion

    def _allocate(self, game: PlayedGame) -> dict[str, np.ndarray]:
        cap = self.config.capacity
        return {
            "observations": np.zeros((cap, *game.observations.shape[1:]), np.float32),
            "legal_masks": np.zeros((cap, game.legal_masks.shape[1]), bool),
            "policies": np.zeros((cap, game.policies.shape[1]), np.float32),
            "values": np.zeros(cap, np.float32),
            "full_search": np.zeros(cap, bool),
        }

    def add_game(self, game: PlayedGame) -> None:
        """Append every position of a finished game (the oldest positions drop out when full)."""
        if self._arrays is None:
            self._arrays = self._allocate(game)
        cap = self.config.capacity
        n = game.num_positions
        slots = (self.positions_added + np.arange(n)) % cap
        for key, arr in self._arrays.items():
            arr[slots] = getattr(game, key)
        self._stamp[slots] = self.positions_added + np.arange(n)
        self.positions_added += n
        self.size = min(cap, self.size + n)
        self.games_added += 1
        if game.resign_false_positive is not None:
            self.resign_checks += 1
            self.resign_false_positives += int(game.resign_false_positive)
        if self.resign is not None and game.check_root_values is not None:
            self.resign.add(game.check_root_values, game.values)
        if game.draw_false_positive is not None:
            self.draw_checks += 1
            self.draw_false_positives += int(game.draw_false_positive)
        self.terminations[game.termination or "unknown"] += 1
        self.plies_added += game.plies

    def add_games(self, games: list[PlayedGame]) -> int:
        """Add several games; returns the positions held afterwards."""
        for g in games:
            self.add_game(g)
        return self.size

    def resign_threshold(self, current: float) -> float:
        """The calibrated resignation threshold (:meth:`ResignCalibrator.threshold`); ``current`` without
        calibration."""
        return current if self.resign is None else self.resign.threshold(current)

    def sample(self, batch_size: int) -> dict[str, np.ndarray]:
        """``batch_size`` positions drawn with replacement: arrays keyed like :class:`PlayedGame` fields."""
        if self._arrays is None or self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        if self.config.sampling == "uniform":
            idx = self.rng.integers(0, self.size, batch_size)
        else:
            age = (self.positions_added - 1 - self._stamp[:self.size]).astype(np.float64)
            weights = np.exp2(-age / self.config.recency_half_life)
            idx = self.rng.choice(self.size, size=batch_size, p=weights / weights.sum())
        return {key: arr[idx] for key, arr in self._arrays.items()}

    def stats(self) -> dict[str, Any]:
        """Counters for logs: size, positions and games added, mean game length, the false-positive rates of
        resignation and draw adjudication (NaN before any check game fired), and ``terminations``: games
        by how they ended."""
        nan = float("nan")
        return {"size": self.size, "positions_added": self.positions_added, "games_added": self.games_added,
                "mean_plies": self.plies_added / self.games_added if self.games_added else nan,
                "resign_checks": self.resign_checks,
                "resign_false_positive_rate": self.resign_false_positives / self.resign_checks if self.resign_checks else nan,
                "draw_checks": self.draw_checks,
                "draw_false_positive_rate": self.draw_false_positives / self.draw_checks if self.draw_checks else nan,
                "terminations": dict(self.terminations)}
