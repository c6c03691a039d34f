"""Test helper: play our poker games and open_spiel's side by side and compare them at every node."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pyspiel

from games.core import CHANCE, Game, State


@dataclass
class PlaythroughStats:
    """What a batch of compared playthroughs covered (so tests can check they reached the deep cases)."""

    games: int = 0
    nodes: int = 0
    free_folds_skipped: int = 0
    terminal_returns: list[tuple[float, float]] = field(default_factory=list)
    max_player_actions: int = 0


NodeCheck = Callable[[State, "pyspiel.State"], None]


def compare_playthroughs(game: Game, os_game: "pyspiel.Game", num_games: int, seed: int, *,
                         node_check: NodeCheck | None = None, fold_weight: float = 1.0,
                         allow_free_fold: bool = False) -> PlaythroughStats:
    """Play ``num_games`` seeded random hands in both implementations, asserting equality at every node.

    Chance outcomes are sampled from our ``chance_outcomes()`` and player actions uniformly from our
    legal actions (fold weighted by ``fold_weight``); the same action is applied to open_spiel's state.
    Compared: current player, legal actions (minus open_spiel's fold when checking is free, if
    ``allow_free_fold``), chance outcomes and probabilities, terminal flag and returns; ``node_check``
    adds game-specific comparisons (information states) at every node, terminal ones included.
    """
    rng = np.random.default_rng(seed)
    stats = PlaythroughStats()
    for _ in range(num_games):
        ours, theirs = game.new_state(), os_game.new_initial_state()
        player_actions = 0
        while True:
            stats.nodes += 1
            where = f"after '{ours}'"
            assert ours.current_player == theirs.current_player(), where
            assert ours.is_terminal() == theirs.is_terminal(), where
            if node_check is not None:
                node_check(ours, theirs)
            if ours.is_terminal():
                np.testing.assert_array_equal(ours.returns(), np.asarray(theirs.returns()), err_msg=where)
                stats.terminal_returns.append(tuple(float(r) for r in ours.returns()))  # type: ignore[arg-type]
                break
            legal = [int(a) for a in ours.legal_actions()]
            expected = list(theirs.legal_actions())
            if ours.current_player == CHANCE:
                actions, probs = ours.chance_outcomes()
                their_outcomes = theirs.chance_outcomes()
                assert [a for a, _ in their_outcomes] == [int(a) for a in actions] == legal, where
                np.testing.assert_allclose(probs, [p for _, p in their_outcomes], rtol=1e-12, err_msg=where)
                action = int(actions[rng.choice(len(actions), p=probs)])
            else:
                if allow_free_fold and expected and expected[0] == 0 and 0 not in legal:
                    expected = expected[1:]
                    stats.free_folds_skipped += 1
                assert legal == expected, f"{where}: ours {legal}, open_spiel {expected}"
                weights = np.array([fold_weight if a == 0 else 1.0 for a in legal])
                action = legal[rng.choice(len(legal), p=weights / weights.sum())]
                player_actions += 1
            ours.apply(action)
            theirs.apply_action(action)
        stats.games += 1
        stats.max_player_actions = max(stats.max_player_actions, player_actions)
    return stats


def check_information_states(ours: State, theirs: "pyspiel.State") -> None:
    """Information-state strings and tensors of both players equal open_spiel's (Kuhn, Leduc)."""
    for player in range(2):
        assert ours.information_state_string(player) == theirs.information_state_string(player), str(ours)
        np.testing.assert_array_equal(ours.information_state_tensor(player),
                                      np.asarray(theirs.information_state_tensor(player), dtype=np.float32),
                                      err_msg=str(ours))


def all_information_states(game: Game) -> set[str]:
    """Every information-state string of a decision node of ``game`` (exhaustive walk of the tree)."""
    found: set[str] = set()
    stack = [game.new_state()]
    while stack:
        state = stack.pop()
        if state.is_terminal():
            continue
        if state.current_player >= 0:
            found.add(state.information_state_string(state.current_player))
        for action in state.legal_actions():
            child = state.copy()
            child.apply_unchecked(int(action))
            stack.append(child)
    return found
