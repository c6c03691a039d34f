"""Self-play worker: whole games with consistent targets, outcome signs, playout caps, resignation."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from agents.nets.core import NetConfig, build_network
from agents.nets.evaluator import TorchEvaluator
from games.registry import make_game
from selfplay.core import ConfigError, SelfPlayConfig
from selfplay.worker import SelfPlayWorker


def _worker(**kw: object) -> SelfPlayWorker:
    torch.manual_seed(0)
    game = make_game("connect_four")
    net = build_network(NetConfig(kind="resnet", blocks=1, channels=8), game.spec)
    return SelfPlayWorker(game, SelfPlayConfig(**kw), TorchEvaluator(net), seed=3)  # type: ignore[arg-type]


def test_games_are_consistent_with_the_rules() -> None:
    worker = _worker(games_per_worker=4, simulations=12, temperature_moves=4)
    games = worker.play_games(min_games=6)
    assert len(games) >= 6
    game = make_game("connect_four")
    for g in games:
        t = g.num_positions
        assert t == g.plies and g.observations.shape == (t, 3, 6, 7) and g.legal_masks.shape == (t, 7)
        # stones on the board grow by one per ply; the mover alternates (planes swap)
        stones = g.observations[:, :2].sum(axis=(1, 2, 3))
        np.testing.assert_array_equal(stones, np.arange(t))
        # targets: distributions over legal moves only
        np.testing.assert_allclose(g.policies.sum(axis=1), 1.0, atol=1e-5)
        assert np.all(g.policies[~g.legal_masks] == 0)
        # values: the outcome for the mover, alternating in sign in a two-player zero-sum game
        assert abs(g.returns.sum()) < 1e-9
        expected = np.array([g.returns[i % 2] for i in range(t)], np.float32)
        np.testing.assert_array_equal(g.values, expected)
        assert g.full_search.all() and not g.resigned and g.model_version == 0
        if g.returns[0] != 0:  # the last mover won (in connect four only the mover can complete four)
            assert g.values[-1] == 1.0
    assert game.spec.num_actions == 7


def _share_not_searched(prob: float) -> float:
    """Share of moves (after the first) that differ from the search's most visited move."""
    worker = _worker(games_per_worker=4, simulations=24, temperature_moves=0, random_move_prob=prob)
    differ = total = 0
    for g in worker.play_games(min_games=8):
        stones = g.observations[:, :2].sum(axis=(1, 2))  # stones per column, both players
        played = np.argmax(stones[1:] - stones[:-1], axis=1)
        best = np.argmax(g.policies[:-1], axis=1)
        differ += int((played != best).sum())
        total += len(played)
    return differ / total


def test_random_moves_replace_a_share_of_searched_moves() -> None:
    assert _share_not_searched(0.0) < 0.1  # only ties between equally visited moves
    assert 0.25 < _share_not_searched(0.5) < 0.65  # half the moves random, 6 in 7 of those differ
    with pytest.raises(ConfigError, match="random_move_prob"):
        SelfPlayConfig(random_move_prob=1.0)


def test_playout_cap_randomization_marks_some_moves_fast() -> None:
    worker = _worker(games_per_worker=4, simulations=16, fast_simulations=2, full_search_prob=0.3)
    games = worker.play_games(min_games=4)
    full = np.concatenate([g.full_search for g in games])
    assert 0 < full.mean() < 0.8


def test_resignation_and_false_positive_checks() -> None:
    # a huge threshold with an untrained net resigns at once unless the game is a check game
    worker = _worker(games_per_worker=8, simulations=8, resign_threshold=1e-6, resign_check_fraction=0.5)
    worker.rng = np.random.default_rng(11)
    games = worker.play_games(min_games=40)
    resigned = [g for g in games if g.resigned]
    checked = [g for g in games if g.resign_check_player >= 0]
    assert resigned and checked
    for g in resigned:
        loser = int(np.argmin(g.returns))
        assert g.returns[loser] == -1 and g.values[-1] == -1.0
    for g in checked:
        assert not g.resigned and g.resign_false_positive == bool(g.returns[g.resign_check_player] >= 0)


def test_improved_policy_target_with_gumbel() -> None:
    worker = _worker(games_per_worker=2, simulations=8, gumbel=True, policy_target="improved")
    games = worker.play_games(min_games=1)
    g = games[0]
    np.testing.assert_allclose(g.policies.sum(axis=1), 1.0, atol=1e-4)
    assert np.all(g.policies[~g.legal_masks] <= 1e-6)


def test_bad_config() -> None:
    with pytest.raises(ConfigError, match="fast_simulations"):
        SelfPlayConfig(simulations=8, fast_simulations=9)
    with pytest.raises(ConfigError, match="policy_target"):
        SelfPlayConfig(policy_target="best")  # type: ignore[arg-type]


def test_winning_moves_get_the_whole_policy_target() -> None:
    """The winner's last move is an immediate win: the solver proves it and the target is uniform over
    the winning moves, not the spread of visits the search had made before finding it."""
    worker = _worker(games_per_worker=4, simulations=24, temperature_moves=4)
    decisive = [g for g in worker.play_games(min_games=8) if g.returns[0] != 0]
    assert len(decisive) >= 4
    for g in decisive:
        last = g.policies[-1]
        support = last[last > 0]
        assert 1 <= len(support) <= 3 and np.allclose(support, support[0]), last
