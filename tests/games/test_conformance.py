"""The conformance test every game passes: random play to the end, checking the State contract at every step.

Covers every name in ``games.registry.game_names()`` plus a few open_spiel games through the adapter. A
registered game whose module cannot be imported or built fails with a message naming it (never skipped).
"""
from __future__ import annotations

import numpy as np
import pytest

from games.core import CHANCE, TERMINAL, Game, IllegalActionError, State
from games.registry import game_names, make_game

OPENSPIEL_GAMES = ["openspiel:hex", "openspiel:tic_tac_toe", "openspiel:kuhn_poker"]
"""open_spiel games checked through the adapter besides the registered ones."""
NUM_GAMES = 20
"""Random games played to the end per game name ..."""
PLY_BUDGET = 5000
"""... but games whose ``max_game_length`` is long (chess) play ``max(4, PLY_BUDGET // max_game_length)``:
every check runs at every step, and some (the text round trip) cost more as the history grows."""


def _load(name: str) -> Game:
    """The game, or a test failure that says why it cannot be built."""
    try:
        return make_game(name)
    except Exception as err:  # noqa: BLE001 - any failure to build a registered game is a test failure
        pytest.fail(f"game '{name}' is registered but cannot be built: {type(err).__name__}: {err}")


def _check_legal(game: Game, state: State) -> np.ndarray:
    """Legal actions and mask obey the contract for this kind of node; returns the legal actions."""
    spec = game.spec
    player = state.current_player
    legal = np.asarray(state.legal_actions())
    assert legal.ndim == 1 and np.issubdtype(legal.dtype, np.integer), legal
    assert np.all(np.diff(legal) > 0), f"legal actions not sorted and unique: {legal}"
    mask = state.legal_action_mask()
    assert mask.shape == (spec.num_actions,) and mask.dtype == bool
    if state.is_terminal():
        assert player == TERMINAL and len(legal) == 0 and not mask.any()
    elif player == CHANCE:
        assert spec.has_chance, "chance node in a game declared without chance"
        actions, probs = state.chance_outcomes()
        np.testing.assert_array_equal(np.asarray(actions), legal)
        assert len(legal) > 0 and np.all(np.asarray(probs) > 0) and abs(float(np.sum(probs)) - 1.0) < 1e-9
        assert not mask.any()
    else:
        assert 0 <= player < spec.num_players, f"bad current_player {player}"
        assert len(legal) > 0, "no legal action at a non-terminal decision node"
        assert legal[0] >= 0 and legal[-1] < spec.num_actions, f"action out of range: {legal}"
        np.testing.assert_array_equal(np.flatnonzero(mask), legal)
    return legal


def _check_observation(game: Game, state: State) -> None:
    obs = state.observation()
    assert isinstance(obs, np.ndarray) and obs.dtype == np.float32, type(obs)
    assert obs.shape == game.spec.observation_shape
    assert np.all(np.isfinite(obs))


def _check_text_round_trip(game: Game, state: State, legal: np.ndarray) -> None:
    text = str(state)
    again = game.state_from_string(text)
    assert str(again) == text, f"text round trip changed {text!r} into {str(again)!r}"
    assert again.current_player == state.current_player
    np.testing.assert_array_equal(again.legal_actions(), legal)


def _check_copy_independent(state: State, legal: np.ndarray, rng: np.random.Generator) -> None:
    text, player = str(state), state.current_player
    other = state.copy()
    assert str(other) == text and other is not state
    if len(legal):
        other.apply(int(legal[rng.integers(len(legal))]))
    assert str(state) == text and state.current_player == player
    np.testing.assert_array_equal(state.legal_actions(), legal)


def _check_illegal_raises(game: Game, state: State, legal: np.ndarray) -> None:
    text = str(state)
    candidates = [-1]
    if state.is_terminal():
        candidates.append(0)
    else:
        illegal = np.setdiff1d(np.arange(game.spec.num_actions), legal)
        if len(illegal):
            candidates.append(int(illegal[len(illegal) // 2]))
    for action in candidates:
        with pytest.raises(IllegalActionError):
            state.apply(action)
        assert str(state) == text, "a refused action changed the state"


def _check_returns(game: Game, state: State) -> None:
    spec = game.spec
    returns = np.asarray(state.returns(), dtype=np.float64)
    assert returns.shape == (spec.num_players,)
    if state.is_terminal():
        assert np.all(returns >= spec.min_utility - 1e-9) and np.all(returns <= spec.max_utility + 1e-9), returns
        if spec.zero_sum:
            assert abs(float(returns.sum())) < 1e-9, f"zero-sum game returned {returns}"


@pytest.mark.parametrize("name", game_names() + OPENSPIEL_GAMES)
def test_random_play_conformance(name: str) -> None:
    game = _load(name)
    spec = game.spec
    assert spec.name == name
    assert spec.num_players >= 1 and spec.num_actions >= 1 and spec.max_game_length >= 1
    assert spec.min_utility <= spec.max_utility
    rng = np.random.default_rng(sum(map(ord, name)))
    for _ in range(max(4, min(NUM_GAMES, PLY_BUDGET // spec.max_game_length))):
        state = game.new_state(rng)
        player_moves = 0
        while True:
            legal = _check_legal(game, state)
            _check_text_round_trip(game, state, legal)
            _check_copy_independent(state, legal, rng)
            _check_illegal_raises(game, state, legal)
            _check_returns(game, state)
            if state.is_terminal():
                break
            if state.is_chance_node():
                actions, probs = state.chance_outcomes()
                state.apply(int(actions[rng.choice(len(actions), p=np.asarray(probs) / np.sum(probs))]))
                continue
            _check_observation(game, state)
            before = len(state.history)
            state.apply(int(legal[rng.integers(len(legal))]))
            assert len(state.history) == before + 1
            player_moves += 1
            assert player_moves <= spec.max_game_length, f"game longer than max_game_length {spec.max_game_length}"
