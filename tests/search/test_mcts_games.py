"""Small explicit games and fixed evaluators for the MCTS tests (plus a check that they behave)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from games.core import TERMINAL, Game, GameSpec, State


class TreeGame(Game):
    """A game given as an explicit tree.

    ``nodes[i]`` is ``(player, [child ids])`` for a decision node (action j leads to child j) or
    ``(None, [return of player 0, return of player 1])`` for a terminal node. Node 0 is the start.
    """

    def __init__(self, nodes: dict[int, tuple[int | None, list]], num_players: int = 2) -> None:
        self.nodes = nodes
        width = max(len(kids) for player, kids in nodes.values() if player is not None)
        self.spec = GameSpec(name="tree", num_players=num_players, num_actions=width,
                             observation_shape=(max(nodes) + 1,), max_game_length=len(nodes), min_utility=-1.0,
                             max_utility=1.0, zero_sum=num_players == 2, perfect_information=True,
                             has_chance=False)

    def new_state(self, rng: np.random.Generator | None = None) -> "TreeState":
        return TreeState(self, 0)

    def state_from_string(self, text: str) -> "TreeState":
        return TreeState(self, int(text))


class TreeState(State):
    def __init__(self, game: TreeGame, node: int) -> None:
        super().__init__(game)
        self.node = node

    @property
    def _entry(self) -> tuple[int | None, list]:
        return self._game.nodes[self.node]  # type: ignore[attr-defined]

    @property
    def current_player(self) -> int:
        player = self._entry[0]
        return TERMINAL if player is None else player

    def legal_actions(self) -> np.ndarray:
        player, kids = self._entry
        return np.zeros(0, np.int64) if player is None else np.arange(len(kids), dtype=np.int64)

    def _apply(self, action: int) -> None:
        self.node = self._entry[1][action]

    def is_terminal(self) -> bool:
        return self._entry[0] is None

    def returns(self) -> np.ndarray:
        n = self._game.spec.num_players
        return np.asarray(self._entry[1][:n], np.float64) if self.is_terminal() else np.zeros(n)

    def observation(self) -> np.ndarray:
        obs = np.zeros(self._game.spec.observation_shape, np.float32)
        obs[self.node] = 1.0
        return obs

    def copy(self) -> "TreeState":
        other = TreeState(self._game, self.node)  # type: ignore[arg-type]
        other.history = list(self.history)
        return other

    def __str__(self) -> str:
        return str(self.node)

    def action_to_string(self, action: int) -> str:
        return str(action)


class TableEvaluator:
    """Evaluator with fixed values (and optional logits) per node id, read from the one-hot observation."""

    def __init__(self, values: dict[int, float], logits: dict[int, Sequence[float]] | None = None) -> None:
        self.values, self.logits = values, logits or {}
        self.calls = 0
        self.batch_sizes: list[int] = []

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls += 1
        self.batch_sizes.append(len(observations))
        ids = observations.argmax(axis=1)
        logits = np.zeros(legal_mask.shape, np.float32)
        for row, node in enumerate(ids):
            if int(node) in self.logits:
                given = self.logits[int(node)]
                logits[row, : len(given)] = given
        values = np.array([self.values.get(int(i), 0.0) for i in ids], np.float32)
        return logits, values


def test_tree_game_plays_to_the_end() -> None:
    game = TreeGame({0: (0, [1, 2]), 1: (1, [3]), 2: (None, [1.0, -1.0]), 3: (None, [-1.0, 1.0])})
    state = game.new_state()
    state.apply(0)
    assert state.current_player == 1
    state.apply(0)
    assert state.is_terminal() and list(state.returns()) == [-1.0, 1.0]
    assert str(game.state_from_string(str(state))) == str(state)
