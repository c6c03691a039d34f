"""The public trees of Kuhn and Leduc against open_spiel: every history, legal actions, returns, infostates."""
from __future__ import annotations

import numpy as np
import pytest

pyspiel = pytest.importorskip("pyspiel")

from search.cfr import game_tree, information_state_string, node_from_history  # noqa: E402
from search.cfr.tree import DECISION, NO_NODE, TERMINAL  # noqa: E402


def _walk(state, visit) -> None:
    if state.is_chance_node():
        for action, _ in state.chance_outcomes():
            _walk(state.child(action), visit)
        return
    visit(state)
    if not state.is_terminal():
        for action in state.legal_actions():
            _walk(state.child(action), visit)


@pytest.mark.parametrize("name,infostates,terminals", [("kuhn_poker", 12, 30), ("leduc_poker", 936, 5520)])
def test_tree_matches_openspiel_everywhere(name: str, infostates: int, terminals: int) -> None:
    tree = game_tree(name)
    seen: set[str] = set()
    count = [0]

    def visit(state) -> None:
        history = state.history()
        node = node_from_history(tree, history)
        assert node != NO_NODE
        if state.is_terminal():
            t = tree.terminal_index[node]
            assert tree.kind[node] == TERMINAL
            dealt = np.prod([tree.num_hands - i for i in range(3 if tree.board[node] >= 0 else 2)])
            assert tree.payoff[t, history[0], history[1]] * dealt == pytest.approx(state.returns()[0], abs=1e-12)
            count[0] += 1
            return
        player = state.current_player()
        assert tree.kind[node] == DECISION and tree.player[node] == player
        assert tree.legal_actions(node) == list(state.legal_actions())
        key = state.information_state_string(player)
        assert information_state_string(tree, node, history[player]) == key
        seen.add(key)

    _walk(pyspiel.load_game(name).new_initial_state(), visit)
    assert len(seen) == infostates and count[0] == terminals


def test_incompatible_deals_weigh_nothing() -> None:
    tree = game_tree("leduc_poker")
    # each terminal's weights sum to the probability of its (chance part of the) history
    for node in np.flatnonzero(tree.kind == TERMINAL)[:50]:
        p = tree.payoff[tree.terminal_index[node]]
        assert np.all(np.diag(p) == 0.0)
        board = tree.board[node]
        if board >= 0:
            assert np.all(p[board, :] == 0.0) and np.all(p[:, board] == 0.0)
