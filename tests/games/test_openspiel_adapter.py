"""The open_spiel adapter: specs, chance nodes, lock-step play against raw pyspiel, text forms, errors."""
from __future__ import annotations

import numpy as np
import pyspiel
import pytest

from games.core import CHANCE, TERMINAL, GameError, StateParseError, UnknownGameError, UnsupportedGameError
from games.openspiel_adapter import OpenSpielGame
from games.registry import make_game

LOCKSTEP_GAMES = ["tic_tac_toe", "kuhn_poker", "leduc_poker", "hex(board_size=5)", "connect_four", "breakthrough"]


@pytest.mark.parametrize("name", ["tic_tac_toe", "hex", "hex(board_size=5)", "kuhn_poker", "leduc_poker"])
def test_spec_matches_pyspiel(name: str) -> None:
    game = make_game(f"openspiel:{name}")
    ref = pyspiel.load_game(name)
    spec = game.spec
    assert spec.name == f"openspiel:{name}"
    assert spec.num_players == ref.num_players()
    assert spec.num_actions == ref.num_distinct_actions()
    assert spec.max_game_length == ref.max_game_length()
    assert (spec.min_utility, spec.max_utility) == (ref.min_utility(), ref.max_utility())
    assert spec.zero_sum
    perfect = ref.get_type().information == pyspiel.GameType.Information.PERFECT_INFORMATION
    assert spec.perfect_information == perfect
    assert spec.has_chance == (name in ("kuhn_poker", "leduc_poker"))
    shape = ref.observation_tensor_shape() if perfect else ref.information_state_tensor_shape()
    assert spec.observation_shape == tuple(shape)


def test_parameters_in_the_name() -> None:
    spec = make_game("openspiel:hex(board_size=5)").spec
    assert spec.num_actions == 25 and spec.observation_shape == (9, 5, 5) and spec.max_game_length == 25


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("no_such_game", UnknownGameError),
        ("hex(board_sizee=5)", UnknownGameError),
        ("hex(board_size=5", UnknownGameError),
        ("matrix_rps", UnsupportedGameError),
    ],
)
def test_bad_names_give_one_line_errors(name: str, error: type[GameError]) -> None:
    with pytest.raises(error) as err:
        OpenSpielGame(name)
    message = str(err.value)
    assert "\n" not in message and name.split("(")[0] in message


def test_unknown_name_through_registry() -> None:
    with pytest.raises(UnknownGameError, match="no_such_game"):
        make_game("openspiel:no_such_game")


def test_chance_nodes_of_kuhn() -> None:
    game = make_game("openspiel:kuhn_poker")
    state = game.new_state()
    assert state.current_player == CHANCE and state.is_chance_node()
    actions, probs = state.chance_outcomes()
    np.testing.assert_array_equal(actions, [0, 1, 2])
    np.testing.assert_allclose(probs, [1 / 3] * 3)
    np.testing.assert_array_equal(state.legal_actions(), [0, 1, 2])
    assert not state.legal_action_mask().any()
    assert state.action_to_string(1) == "Deal:1"
    state.apply(2)
    assert state.current_player == CHANCE
    np.testing.assert_array_equal(state.chance_outcomes()[0], [0, 1])  # the dealt card is gone
    state.apply(0)
    assert state.current_player == 0
    with pytest.raises(GameError):
        state.chance_outcomes()
    assert state.information_state_string(0) == state.pystate.information_state_string(0)
    state.apply(0)  # pass
    state.apply(0)  # pass: showdown, player 0 holds the king
    assert state.current_player == TERMINAL and list(state.returns()) == [1.0, -1.0]
    assert str(state) == "moves: 2 0 0 0"


@pytest.mark.parametrize("name", LOCKSTEP_GAMES)
def test_lockstep_with_pyspiel(name: str) -> None:
    game = OpenSpielGame(name)
    ref_game = pyspiel.load_game(name)
    rng = np.random.default_rng(11)
    for _ in range(30):
        state, ref = game.new_state(), ref_game.new_initial_state()
        while True:
            assert state.is_terminal() == ref.is_terminal()
            np.testing.assert_array_equal(state.returns(), ref.returns())
            if ref.is_terminal():
                assert state.current_player == TERMINAL
                break
            if ref.is_chance_node():
                assert state.current_player == CHANCE
                outcomes = sorted(ref.chance_outcomes())
                action = outcomes[rng.choice(len(outcomes), p=[p for _, p in outcomes])][0]
            else:
                player = ref.current_player()
                assert state.current_player == player
                np.testing.assert_array_equal(state.legal_actions(), sorted(ref.legal_actions()))
                np.testing.assert_array_equal(state.legal_action_mask(), np.asarray(ref.legal_actions_mask(), bool))
                tensor = (ref.observation_tensor(player) if game.spec.perfect_information
                          else ref.information_state_tensor(player))
                np.testing.assert_array_equal(state.observation().ravel(), np.asarray(tensor, np.float32))
                action = int(rng.choice(ref.legal_actions()))
                assert state.action_to_string(action) == ref.action_to_string(player, action)
            state.apply(action)
            ref.apply_action(action)
        assert state.history == ref.history()


def test_connect_four_adapter_agrees_with_native() -> None:
    native, wrapped = make_game("connect_four"), make_game("openspiel:connect_four")
    rng = np.random.default_rng(5)
    for _ in range(30):
        a, b = native.new_state(), wrapped.new_state()
        while not a.is_terminal():
            assert not b.is_terminal() and a.current_player == b.current_player
            np.testing.assert_array_equal(a.legal_actions(), b.legal_actions())
            action = int(rng.choice(a.legal_actions()))
            a.apply(action)
            b.apply(action)
        assert b.is_terminal()
        np.testing.assert_array_equal(a.returns(), b.returns())


def test_text_forms() -> None:
    game = make_game("openspiel:tic_tac_toe")
    assert str(game.new_state()) == "moves:"
    state = game.state_from_string("moves: 4 0 8")
    assert str(state) == "moves: 4 0 8" and state.current_player == 1
    assert state.pystate.history() == [4, 0, 8]
    serialized = state.pystate.serialize()  # pyspiel's form: one action per line
    assert str(game.state_from_string(serialized)) == "moves: 4 0 8"
    assert str(game.state_from_string("  moves:\n")) == "moves:"
    assert state.string_to_action("o(0,1)") == 1
    kuhn = make_game("openspiel:kuhn_poker")
    assert kuhn.state_from_string("moves: 1 0 1 1").is_terminal()


@pytest.mark.parametrize("text", ["moves: a", "moves: 4 4", "moves: 9", "moves: -1", "moves: 0 1 3 4 6 2 5 8 7",
                                  "4;0", "moves: 4,0"])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(StateParseError) as err:
        make_game("openspiel:tic_tac_toe").state_from_string(text)
    assert "\n" not in str(err.value)
