"""Leduc poker against open_spiel's ``leduc_poker``: random playthroughs, the whole tree, text."""
from __future__ import annotations

import zlib

import numpy as np
import pyspiel
import pytest
from open_spiel.python import policy as os_policy
from open_spiel.python.algorithms import expected_game_score

from games.core import CHANCE, IllegalActionError, State, StateParseError
from games.poker.leduc import LeducPokerGame
from games.registry import make_game
from tests.games.poker_oracle import all_information_states, check_information_states, compare_playthroughs

OS_GAME = pyspiel.load_game("leduc_poker")


def test_registered() -> None:
    game = make_game("leduc_poker")
    assert isinstance(game, LeducPokerGame)
    assert game.spec.max_utility == OS_GAME.max_utility() and game.spec.min_utility == OS_GAME.min_utility()
    assert game.spec.observation_shape == tuple(OS_GAME.information_state_tensor_shape())
    assert game.spec.num_actions == OS_GAME.num_distinct_actions()
    assert game.spec.max_game_length == OS_GAME.max_game_length()


def test_random_playthroughs_match_openspiel() -> None:
    stats = compare_playthroughs(LeducPokerGame(), OS_GAME, 1500, seed=11, node_check=check_information_states,
                                 fold_weight=0.3)
    assert stats.games == 1500
    outcomes = {r[0] for r in stats.terminal_returns}
    assert {0.0, 13.0, -13.0, 1.0, -1.0} <= outcomes  # split pots, capped pots, folds
    assert stats.max_player_actions == 8


def _policy(info_state: str, legal: list[int]) -> np.ndarray:
    """A fixed, information-dependent strategy over actions 0..2 (zero on illegal actions)."""
    weights = np.array([1.0 + (zlib.crc32(info_state.encode()) >> s) % 5 for s in (0, 7, 14)], dtype=np.float64)
    mask = np.zeros(3)
    mask[legal] = 1.0
    weights *= mask
    return weights / weights.sum()


def _expected_returns(state: State) -> float:
    """Player 0's expected return under :func:`_policy` for both players, by walking our tree."""
    if state.is_terminal():
        return float(state.returns()[0])
    if state.current_player == CHANCE:
        actions, probs = state.chance_outcomes()
        pairs = zip(actions, probs)
    else:
        legal = [int(a) for a in state.legal_actions()]
        probs = _policy(state.information_state_string(state.current_player), legal)
        pairs = ((a, probs[a]) for a in legal)
    total = 0.0
    for action, prob in pairs:
        child = state.copy()
        child.apply_unchecked(int(action))
        total += prob * _expected_returns(child)
    return total


def test_whole_tree_keys_and_value_match_openspiel() -> None:
    """Every information state is an open_spiel policy key, and a strategy exported by our keys has the
    same value for open_spiel as on our tree (returns and chance probabilities over the whole tree)."""
    game = LeducPokerGame()
    keys = all_information_states(game)
    tabular = os_policy.TabularPolicy(OS_GAME)
    assert keys == set(tabular.state_lookup)
    for key in keys:
        legal = [a for a in range(3) if tabular.legal_actions_mask[tabular.state_lookup[key]][a]]
        tabular.policy_for_key(key)[:] = _policy(key, legal)
    theirs = expected_game_score.policy_value(OS_GAME.new_initial_state(), [tabular, tabular])
    assert _expected_returns(game.new_state()) == pytest.approx(theirs[0], abs=1e-9)


def test_words_text_and_accessors() -> None:
    game = LeducPokerGame()
    state = game.state_from_string("K1 J2 raise")
    assert state.private_card(0) == 4 and state.private_card(1) == 1 and state.public_card_id() == -1
    assert [state.action_to_string(a) for a in state.legal_actions()] == ["fold", "call", "raise"]
    state.apply(state.string_to_action("call"))
    assert state.current_player == CHANCE and state.action_to_string(2) == "deal Q1"
    state.apply(state.string_to_action("deal q1"))
    state.apply(state.string_to_action("check"))
    state.apply(state.string_to_action("bet"))
    assert str(state) == "K1 J2 raise call Q1 call raise"
    assert state.public_key() == "? ? raise call Q1 call raise"
    assert state.information_state_string(1) == (
        "[Observer: 1][Private: 1][Round 2][Player: 0][Pot: 10][Money: 97 93][Public: 2][Round1: 2 1][Round2: 1 2]")
    state.apply(state.string_to_action("fold"))
    assert tuple(state.returns()) == (-3.0, 3.0)
    with pytest.raises(IllegalActionError):
        game.new_state().string_to_action("deal A1")


@pytest.mark.parametrize("text, expected", [
    ("K1 Q1 call call J1 call call", (1.0, -1.0)),  # king high beats queen
    ("J1 K1 call call J2 raise call", (5.0, -5.0)),  # pair of jacks beats king
    ("K1 K2 raise call Q1 call call", (0.0, 0.0)),  # equal ranks split
    ("Q1 K1 raise raise call Q2 raise raise call", (13.0, -13.0)),  # capped pot
])
def test_known_showdowns(text: str, expected: tuple[float, float]) -> None:
    state = LeducPokerGame().state_from_string(text)
    assert state.is_terminal() and tuple(state.returns()) == expected


@pytest.mark.parametrize("text", ["K1 K1", "K1 J1 fold", "K1 J1 call call call", "K1 J1 raise raise raise",
                                  "K1 J1 call call Q1 call call call", "Z9", "K1 J1 fold?"])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(StateParseError):
        LeducPokerGame().state_from_string(text)
