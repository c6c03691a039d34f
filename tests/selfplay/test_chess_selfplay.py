"""Chess self-play on the compiled core: legal policy targets, values from the winner's view, draw
adjudication by its rule, resignation and draw-adjudication false-positive accounting."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from agents.nets.core import NetConfig, build_network
from agents.nets.evaluator import ILLEGAL_LOGIT, TorchEvaluator
from games.chess.game import ChessGame
from games.chess.state import ChessState
from games.registry import make_game
from selfplay.core import ConfigError, PlayedGame, ReplayConfig, SelfPlayConfig
from selfplay.replay_buffer import ReplayBuffer
from selfplay.trainer import game_endings
from selfplay.worker import SelfPlayWorker

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py
TINY = NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8)


class FromFen(ChessGame):
    """Chess whose games start at a fixed FEN."""

    def __init__(self, fen: str) -> None:
        super().__init__()
        self.fen = fen

    def new_state(self, rng: np.random.Generator | None = None) -> ChessState:
        return self.state_from_string(self.fen)


class ZeroValue:
    """Evaluator: uniform logits, value exactly 0 everywhere (every root value is 0 until a mate is seen)."""

    evaluations = 0

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mask = np.asarray(legal_mask, bool)
        return np.where(mask, 0.0, ILLEGAL_LOGIT).astype(np.float32), np.zeros(len(mask), np.float32)


def _tiny_worker(game: ChessGame, **kw: object) -> SelfPlayWorker:
    torch.manual_seed(0)
    return SelfPlayWorker(game, SelfPlayConfig(**kw), TorchEvaluator(build_network(TINY, game.spec)), seed=1)  # type: ignore[arg-type]


def _assert_legal_targets(g: PlayedGame) -> None:
    t = g.num_positions
    assert g.observations.shape == (t, 119, 8, 8) and g.legal_masks.shape == (t, 4672)
    np.testing.assert_allclose(g.policies.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(g.policies[~g.legal_masks] == 0)
    assert g.legal_masks.sum(axis=1).min() >= 1


def test_games_from_the_start_have_legal_targets_and_draw_values() -> None:
    worker = _tiny_worker(make_game("chess"), games_per_worker=3, simulations=8, fast_simulations=2,
                          full_search_prob=0.5, leaves_per_eval=4, max_plies=10)
    games = worker.play_games(min_games=3)
    for g in games:
        _assert_legal_targets(g)
        assert g.plies == 10 and g.termination == "max_plies"
        assert np.all(g.values == 0) and np.all(g.returns == 0)
        assert g.legal_masks[0].sum() == 20  # the start position: 20 legal moves
    full = np.concatenate([g.full_search for g in games])
    assert 0 < full.mean() < 1  # playout-cap randomization marks some moves fast


@pytest.mark.parametrize("fen, plies, white_wins", [
    ("r5k1/5ppp/8/8/8/8/5PPP/6K1 b - - 0 1", 1, False),  # Black mates at once: Ra1#
    ("k7/2K5/8/8/8/8/8/1R6 b - - 0 1", 2, True),  # Black's only move Ka7, then White mates: Ra1#
])
def test_mates_give_values_from_the_winners_view(fen: str, plies: int, white_wins: bool) -> None:
    worker = _tiny_worker(FromFen(fen), games_per_worker=2, simulations=48, leaves_per_eval=4, temperature_moves=0)
    for g in worker.play_games(min_games=2):
        _assert_legal_targets(g)
        assert g.plies == plies and g.termination == "checkmate"
        np.testing.assert_array_equal(g.returns, [1.0, -1.0] if white_wins else [-1.0, 1.0])
        movers = [(1 + i) % 2 for i in range(plies)]  # Black (1) moves first in these positions
        np.testing.assert_array_equal(g.values, [g.returns[p] for p in movers])
        assert g.values[-1] == 1.0  # the mating move's position: a win for its mover
        mate = g.policies[-1]
        assert mate.max() == 1.0  # the solver-following target: all on the proven mate


def test_draw_adjudication_fires_per_its_rule() -> None:
    game = make_game("chess")
    cfg = SelfPlayConfig(games_per_worker=4, simulations=8, leaves_per_eval=4, max_plies=16, draw_adjudication_ply=3,
                         draw_value_threshold=0.01, draw_adjudication_plies=5, resign_check_fraction=0.5)
    worker = SelfPlayWorker(game, cfg, ZeroValue(), seed=2)
    games = worker.play_games(min_games=12)
    adjudicated = [g for g in games if g.termination == "adjudicated_draw"]
    checked = [g for g in games if g.draw_check_ply >= 0]
    assert adjudicated and checked and len(adjudicated) + len(checked) == len(games)
    for g in adjudicated:  # fires at ply max(3, 5): five drawish positions in a row are needed
        assert g.plies == 5 and np.all(g.values == 0) and g.draw_check_ply == -1
    for g in checked:  # check games note the ply and play on to the ply cap
        assert g.draw_check_ply == 5 and g.plies == 16 and g.termination == "max_plies"
        assert g.draw_false_positive is False
    late = SelfPlayWorker(game, dataclasses.replace(cfg, draw_adjudication_ply=9, resign_check_fraction=0.0),
                          ZeroValue(), seed=2)
    assert {g.plies for g in late.play_games(min_games=4)} == {9}  # the ply threshold holds it back


def test_no_draw_adjudication_when_values_are_far_from_zero() -> None:
    worker = _tiny_worker(make_game("chess"), games_per_worker=2, simulations=4, leaves_per_eval=2, max_plies=12,
                          draw_adjudication_ply=1, draw_value_threshold=0.0, draw_adjudication_plies=1)
    assert {g.termination for g in worker.play_games(min_games=2)} == {"max_plies"}
    with pytest.raises(ConfigError, match="draw_value_threshold"):
        SelfPlayConfig(draw_value_threshold=1.0)


def test_chess_resignation_and_check_games() -> None:
    worker = _tiny_worker(make_game("chess"), games_per_worker=6, simulations=4, leaves_per_eval=2,
                          resign_threshold=1e-6, resign_check_fraction=0.5, max_plies=20)
    worker.rng = np.random.default_rng(5)
    games = worker.play_games(min_games=16)
    resigned = [g for g in games if g.resigned]
    checked = [g for g in games if g.resign_check_player >= 0]
    assert resigned and checked
    for g in resigned:
        assert g.termination == "resigned" and g.values[-1] == -1.0
        assert g.returns[int(np.argmin(g.returns))] == -1.0 and g.returns.sum() == 0
    for g in checked:
        assert not g.resigned and g.resign_false_positive == bool(g.returns[g.resign_check_player] >= 0)
        # the check game's value trace: one root value per move, and its first value below the threshold
        # is the move of the would-be resigner
        trace = g.check_root_values
        assert trace is not None and trace.shape == (g.plies,) and np.all(np.abs(trace) <= 1.0)
        first = int(np.flatnonzero(trace < -1e-6)[0])
        assert (g.values[first] >= 0) == g.resign_false_positive
    assert all(g.check_root_values is None for g in resigned)
    # the learner's calibrated threshold reaches the worker
    worker.resign_threshold = 1.0
    assert not any(g.resigned for g in worker.play_games(min_games=6))


def _played(plies: int, returns: tuple[float, float], termination: str, resign_check_player: int = -1,
            draw_check_ply: int = -1) -> PlayedGame:
    return PlayedGame(observations=np.zeros((plies, 1, 2, 2), np.float32), legal_masks=np.ones((plies, 3), bool),
                      policies=np.full((plies, 3), 1 / 3, np.float32), values=np.zeros(plies, np.float32),
                      full_search=np.ones(plies, bool), returns=np.array(returns), model_version=0, plies=plies,
                      resign_check_player=resign_check_player, draw_check_ply=draw_check_ply, termination=termination)


def test_false_positive_accounting_and_logged_endings() -> None:
    buf = ReplayBuffer(ReplayConfig(capacity=100, min_positions=1))
    buf.add_games([
        _played(4, (-1.0, 1.0), "checkmate", resign_check_player=0),  # would have resigned and lost: right
        _played(6, (1.0, -1.0), "checkmate", resign_check_player=0),  # would have resigned and won: wrong
        _played(8, (0.0, 0.0), "max_plies", resign_check_player=1, draw_check_ply=5),  # drew: both wrong / right
        _played(2, (0.0, 0.0), "adjudicated_draw"),
        _played(4, (1.0, -1.0), "resigned"),
        _played(6, (-1.0, 1.0), "checkmate", draw_check_ply=3),  # would have been adjudicated a draw: wrong
    ])
    stats = buf.stats()
    assert stats["resign_checks"] == 3 and stats["resign_false_positive_rate"] == pytest.approx(2 / 3)
    assert stats["draw_checks"] == 2 and stats["draw_false_positive_rate"] == 0.5
    assert stats["mean_plies"] == 5.0
    logged = game_endings(stats)
    assert logged["ended_checkmate"] == 0.5 and logged["ended_adjudicated_draw"] == pytest.approx(1 / 6)
    assert logged["ended_resigned"] == pytest.approx(1 / 6) and logged["ended_max_plies"] == pytest.approx(1 / 6)
    assert logged["resign_false_positive_rate"] == pytest.approx(2 / 3) and logged["draw_checks"] == 2
    empty = game_endings(ReplayBuffer(ReplayConfig(capacity=10, min_positions=1)).stats())
    assert empty["resign_false_positive_rate"] is None and empty["mean_plies"] is None
