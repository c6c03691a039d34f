"""Heads-up no-limit hold'em: rules, text, parameters, and 10,000 hands against open_spiel's universal_poker."""
from __future__ import annotations

import numpy as np
import pyspiel
import pytest

from games.core import CHANCE, IllegalActionError, StateParseError, TERMINAL
from games.poker.base import CALL, FOLD
from games.poker.holdem_nolimit import TENSOR_SIZE, HoldemNoLimitGame, HoldemNoLimitState
from games.poker.nolimit_rules import MAX_ACTIONS_PER_ROUND, GameParameterError, NoLimitRules, parse_rules
from games.registry import make_game
from tests.games.nolimit_oracle import compare_with_openspiel

GAME = HoldemNoLimitGame()


def _play(text: str, game: HoldemNoLimitGame = GAME) -> HoldemNoLimitState:
    state = game.state_from_string(text)
    assert isinstance(state, HoldemNoLimitState)
    return state


def test_registered_spec_matches_openspiel() -> None:
    game = make_game("holdem_nolimit")
    assert isinstance(game, HoldemNoLimitGame) and game.rules == NoLimitRules()
    os_game = pyspiel.load_game(game.rules.openspiel_game_string())
    assert game.spec.num_actions == os_game.num_distinct_actions() == 20001
    assert game.spec.max_utility == os_game.max_utility() == 20000.0
    assert game.spec.min_utility == os_game.min_utility() == -20000.0
    assert game.spec.max_game_length == 207 <= os_game.max_game_length()
    assert game.spec.observation_shape == (TENSOR_SIZE,)


@pytest.mark.parametrize("name, rules", [
    ("holdem_nolimit(stack=400,blinds=1/2)", NoLimitRules(stack=400, small_blind=1, big_blind=2)),
    ("holdem_nolimit(stack=2000)", NoLimitRules(stack=2000)),
    ("holdem_nolimit(blinds=100/200)", NoLimitRules(small_blind=100, big_blind=200)),
    ("holdem_nolimit( blinds = 1/2 , stack = 400 )", NoLimitRules(stack=400, small_blind=1, big_blind=2)),
    ("holdem_nolimit()", NoLimitRules()),
])
def test_parameters_in_the_name(name: str, rules: NoLimitRules) -> None:
    game = make_game(name)
    assert isinstance(game, HoldemNoLimitGame) and game.rules == rules
    assert game.spec.name == rules.name() and parse_rules(rules.name()) == rules
    assert game.spec.num_actions == rules.stack + 1


@pytest.mark.parametrize("name, words", [
    ("holdem_nolimit(stack=abc)", "whole number"),
    ("holdem_nolimit(stack=100)", "two big blinds"),
    ("holdem_nolimit(blinds=100/50)", "small blind <= big blind"),
    ("holdem_nolimit(blinds=50)", "SB/BB"),
    ("holdem_nolimit(ante=1)", "unknown parameter 'ante'"),
    ("holdem_nolimit(stack=500,stack=600)", "given twice"),
    ("holdem_nolimit(stack)", "key=value"),
])
def test_bad_parameters_are_named(name: str, words: str) -> None:
    with pytest.raises(GameParameterError, match=words):
        make_game(name)


def test_random_hands_match_openspiel() -> None:
    """10,000 hands of the default game: every node's legal actions (all raise sizes), information states
    (pot, money, cards, betting) and the returns equal universal_poker's."""
    stats = compare_with_openspiel(GAME, 10_000, seed=18)
    assert stats.hands == 10_000
    assert stats.folds > 500 and stats.showdowns > 5000 and stats.all_in_showdowns > 1000
    assert stats.min_raises > 2000 and stats.all_ins > 1000 and stats.short_all_ins > 500
    assert stats.split_pots > 50
    assert max(stats.returns) == 20000.0 and min(stats.returns) == -20000.0


def test_round_action_limit_matches_openspiel() -> None:
    """Runs of smallest raises reach ACPC's 64-action limit of a round; open_spiel agrees throughout."""
    game = HoldemNoLimitGame(NoLimitRules(stack=1000, small_blind=1, big_blind=2))
    stats = compare_with_openspiel(game, 150, seed=5, min_raise_bias=0.985)
    assert stats.capped_rounds > 20


def test_smallest_raises_and_all_in() -> None:
    state = _play("As Ah 2c 7d")
    assert state.current_player == 1 and state.raise_range() == (200, 20000)
    legal = state.legal_actions()
    assert legal[:3].tolist() == [FOLD, CALL, 200] and legal[-1] == 20000 and len(legal) == 2 + 19801
    state.apply(350)  # raise by 250: the next raise must add 250 or more
    assert state.raise_range() == (600, 20000) and state.legal_actions()[2] == 600
    with pytest.raises(IllegalActionError, match="raises go to 600..20000"):
        state.string_to_action("r599")
    state.apply(CALL)  # flop: the smallest bet is the big blind
    assert state.current_player == CHANCE
    for card in ("Ks", "9h", "3c"):
        state.apply(state.string_to_action(card))
    assert state.current_player == 0 and state.raise_range() == (450, 20000)
    assert FOLD not in state.legal_actions()  # no fold when checking is free
    state.apply(state.string_to_action("r19000"))
    assert state.raise_range() == (20000, 20000)  # a full raise would be 37650: only the all-in is left
    state.apply(20000)
    assert state.raise_range() is None and state.legal_actions().tolist() == [FOLD, CALL]


def test_all_in_deals_the_board_then_showdown() -> None:
    state = _play("As Ah 2c 7d r20000 c")
    assert state.finished and state.round == 3 and state.current_player == CHANCE
    for card in ("Ks", "9h", "3c", "4d"):
        state.apply(state.string_to_action(card))
        assert state.current_player == CHANCE and not state.is_terminal()
    state.apply(state.string_to_action("5s"))
    assert state.is_terminal() and state.current_player == TERMINAL
    assert state.returns().tolist() == [20000.0, -20000.0]
    assert state.information_state_string(1) == (
        "[Round 3][Player: -4][Pot: 40000][Money: 0 0][Private: 7d2c][Public: Ks9h5s4d3c][Sequences: r20000c|||]")


@pytest.mark.parametrize("text, expected", [
    ("As Ah Kd Kc f", (50.0, -50.0)),  # the small blind folds
    ("As Ah Kd Kc c f", None),  # the big blind cannot fold when checking is free
    ("As Ah Kd Kc r300 f", (-100.0, 100.0)),
    ("2c 3d 2d 3c c c As Ks Qs c c Js c c Ts c c", (0.0, 0.0)),  # both play the royal flush on board
    ("9s 9h As 5d c c 9c 2h 3c c r200 c 4d c c Kh r400 c", (-400.0, 400.0)),  # the wheel beats trips
])
def test_known_outcomes(text: str, expected: tuple[float, float] | None) -> None:
    if expected is None:
        with pytest.raises(StateParseError):
            _play(text)
        return
    state = _play(text)
    assert state.is_terminal() and tuple(state.returns()) == expected


def test_round_action_limit() -> None:
    """ACPC allows a raise only while the round has room for it and the reply (64 actions)."""
    game = HoldemNoLimitGame(NoLimitRules(stack=1000, small_blind=1, big_blind=2))
    state = _play("As Ah 2c 7d", game)
    raises = 0
    while state.raise_range() is not None:
        state.apply(state.raise_range()[0])  # type: ignore[index]
        raises += 1
    assert raises == MAX_ACTIONS_PER_ROUND - 1 and state.max_spent == 2 * (raises + 1)
    assert state.legal_actions().tolist() == [FOLD, CALL]


def test_text_round_trip_and_words() -> None:
    state = _play("As Ah 2c 7d raise300 call Ks 9h 3c check bet450 c")
    assert str(state) == "As Ah 2c 7d r300 c Ks 9h 3c c r450 c"
    assert state.public_key() == "? ? ? ? r300 c Ks 9h 3c c r450 c"
    assert state.betting_string() == "r300c|cr450c|"
    assert state.information_state_string(0) == (
        "[Round 2][Player: -1][Pot: 900][Money: 19550 19550][Private: AsAh][Public: Ks9h3c][Sequences: r300c|cr450c|]")
    again = GAME.state_from_string(str(state))
    assert again.history == state.history
    preflop = _play("As Ah 2c 7d")
    assert [preflop.action_to_string(a) for a in (FOLD, CALL, 2000)] == ["f", "c", "r2000"]


@pytest.mark.parametrize("text", ["As Ah 2c 7d r150", "As Ah 2c 7d r20001", "As Ah 2c 7d r300 r400",
                                  "As Ah 2c 7d x", "As As", "As Ah 2c 7d f c", "As Ah 2c 7d r1"])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(StateParseError):
        _play(text)


def test_observation_layout() -> None:
    state = _play("As Ah 2c 7d r300 c Ks 9h 3c r450")
    obs = state.observation()
    assert obs.shape == (TENSOR_SIZE,) and obs.dtype == np.float32
    assert state.current_player == 1 and obs[1] == 1.0 and obs[0] == 0.0
    assert set(np.flatnonzero(obs[2:54]).tolist()) == {0, 21}  # 2c, 7d
    assert len(np.flatnonzero(obs[54:106])) == 3 and obs[106:110].tolist() == [0.0, 1.0, 0.0, 0.0]
    np.testing.assert_allclose(obs[110:115], [300 / 20000, 450 / 20000, 150 / 20000, 600 / 20000, 1.0])
