"""Kuhn poker against open_spiel's ``kuhn_poker``: random playthroughs, information-state keys, text."""
from __future__ import annotations

import numpy as np
import pyspiel
import pytest
from open_spiel.python import policy as os_policy
from open_spiel.python.algorithms import exploitability

from games.core import CHANCE, IllegalActionError, StateParseError
from games.poker.kuhn import BET, PASS, KuhnPokerGame
from games.registry import make_game
from tests.games.poker_oracle import all_information_states, check_information_states, compare_playthroughs

OS_GAME = pyspiel.load_game("kuhn_poker")


def test_registered() -> None:
    game = make_game("kuhn_poker")
    assert isinstance(game, KuhnPokerGame)
    assert game.spec.max_utility == OS_GAME.max_utility() and game.spec.min_utility == OS_GAME.min_utility()
    assert game.spec.observation_shape == tuple(OS_GAME.information_state_tensor_shape())
    assert game.spec.num_actions == OS_GAME.num_distinct_actions()


def test_random_playthroughs_match_openspiel() -> None:
    stats = compare_playthroughs(KuhnPokerGame(), OS_GAME, 2000, seed=7, node_check=check_information_states)
    assert stats.games == 2000
    assert set(stats.terminal_returns) == {(1.0, -1.0), (-1.0, 1.0), (2.0, -2.0), (-2.0, 2.0)}
    assert stats.max_player_actions == 3


def test_information_states_are_openspiel_policy_keys() -> None:
    assert all_information_states(KuhnPokerGame()) == set(os_policy.TabularPolicy(OS_GAME).state_lookup)


def _nash_bet_probability(info_state: str) -> float:
    """Probability of ``bet`` in the Kuhn equilibrium with alpha = 0, from our information-state string."""
    card, history = int(info_state[0]), info_state[1:]
    table = {
        "": (0.0, 0.0, 0.0),  # player 0 opens: always pass (alpha = 0)
        "pb": (0.0, 1 / 3, 1.0),  # player 0 facing a bet: fold J, call Q 1/3, call K
        "p": (1 / 3, 0.0, 1.0),  # player 1 after a pass: bluff J 1/3, check Q, bet K
        "b": (0.0, 1 / 3, 1.0),  # player 1 facing a bet
    }
    return table[history][card]


def test_strategy_keyed_by_our_strings_is_an_equilibrium_for_openspiel() -> None:
    """A CFR engineer's export path: a strategy keyed by our strings, scored by open_spiel."""
    tabular = os_policy.TabularPolicy(OS_GAME)
    for key in all_information_states(KuhnPokerGame()):
        bet = _nash_bet_probability(key)
        tabular.policy_for_key(key)[:] = [1.0 - bet, bet]
    assert exploitability.exploitability(OS_GAME, tabular) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("text, expected", [
    ("K J bet bet", (2.0, -2.0)),
    ("J K pass bet pass", (-1.0, 1.0)),
    ("Q J pass pass", (1.0, -1.0)),
    ("J Q bet pass", (1.0, -1.0)),
    ("J Q pass bet bet", (-2.0, 2.0)),
])
def test_known_returns(text: str, expected: tuple[float, float]) -> None:
    state = KuhnPokerGame().state_from_string(text)
    assert state.is_terminal()
    assert tuple(state.returns()) == expected


def test_words_text_and_accessors() -> None:
    game = KuhnPokerGame()
    state = game.new_state()
    assert state.current_player == CHANCE and state.action_to_string(2) == "deal K"
    state.apply(state.string_to_action("deal K"))
    state.apply(state.string_to_action("j"))
    assert state.private_card(0) == 2 and state.private_card(1) == 0
    assert [state.action_to_string(a) for a in state.legal_actions()] == ["pass", "bet"]
    assert state.string_to_action("check") == PASS and state.string_to_action("bet") == BET
    state.apply(state.string_to_action("pass"))
    state.apply(state.string_to_action("raise"))
    assert str(state) == "K J pass bet"
    assert state.public_key() == "? ? pass bet"
    assert state.information_state_string(0) == "2pb" and state.information_state_string(1) == "0pb"
    other = game.state_from_string("Q K pass bet")
    assert other.public_key() == state.public_key() and str(other) != str(state)
    again = game.state_from_string("K J PASS bet")
    assert str(again) == str(state) and again.history == state.history
    np.testing.assert_array_equal(again.observation(), state.information_state_tensor(0))
    with pytest.raises(IllegalActionError):
        state.string_to_action("shove")


@pytest.mark.parametrize("text", ["X", "J J", "J Q raise2", "J Q pass pass pass", "J Q K", "pass"])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(StateParseError):
        KuhnPokerGame().state_from_string(text)
