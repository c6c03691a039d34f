"""MCTS on chess (Python-backed replay) with the material evaluator: mates, values, the evaluator."""
from __future__ import annotations

import numpy as np
import pytest

from games.registry import make_game
from search.evaluators import MaterialEvaluator, UniformEvaluator, material_difference
from search.mcts import BatchedMCTS, MCTSConfig

CHESS = make_game("chess")


def best_move(fen: str, sims: int, evaluator: object) -> tuple[str, float | None]:
    state = CHESS.state_from_string(fen)
    s = BatchedMCTS(CHESS, MCTSConfig(num_simulations=sims), evaluator).search([state])[0]  # type: ignore[arg-type]
    return state.action_to_string(s.action), s.proven_value


@pytest.mark.parametrize("evaluator", [MaterialEvaluator(), MaterialEvaluator(0.0, 0.0)], ids=["priors", "uniform"])
def test_mate_in_one(evaluator: MaterialEvaluator) -> None:
    assert best_move("6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1", 200, evaluator) == ("Ra8#", 1.0)
    assert best_move("r5k1/8/8/8/8/8/5PPP/6K1 b - - 0 1", 200, evaluator) == ("Ra1#", 1.0)


def test_back_rank_mate_in_two_for_both_colours() -> None:
    # Re8+ Rxe8 Rxe8# (White), and the mirrored position with Black to move.
    assert best_move("2r3k1/5ppp/8/8/8/8/4R3/4R1K1 w - - 0 1", 600, MaterialEvaluator()) == ("Re8+", 1.0)
    assert best_move("4r1k1/4r3/8/8/8/8/5PPP/2R3K1 b - - 0 1", 600, MaterialEvaluator()) == ("Re1+", 1.0)


def test_material_values_and_priors() -> None:
    fen = "4k3/8/8/8/8/3q4/8/R1n1K3 w - - 0 1"  # White: rook; Black: queen and knight
    state = CHESS.state_from_string(fen)
    assert material_difference(state.board) == -7.0
    logits, values = MaterialEvaluator().evaluate_states([state])
    assert values[0] == pytest.approx(np.tanh(-0.7))
    take = state.string_to_action("Rxc1")
    check = state.string_to_action("Ra8+")
    quiet = state.string_to_action("Ra2")
    assert logits[0, take] == 0.5 and logits[0, check] == 0.5 and logits[0, quiet] == 0.0
    black = CHESS.state_from_string(fen.replace(" w ", " b "))
    assert MaterialEvaluator().evaluate_states([black])[1][0] == pytest.approx(np.tanh(0.7))


def test_batched_chess_search_with_an_observation_evaluator() -> None:
    states = [CHESS.new_state(), CHESS.state_from_string("6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1")]
    calls = []

    def uniform(obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(obs.shape)
        assert obs.shape[1:] == CHESS.spec.observation_shape and mask.shape[1] == CHESS.spec.num_actions
        return UniformEvaluator()(obs, mask)

    res = BatchedMCTS(CHESS, MCTSConfig(num_simulations=24, leaves_per_eval=4), uniform, num_trees=2).search(states)
    assert res[0].simulations == 24 and res[0].visit_counts.sum() == 24
    assert res[1].proven_value == 1.0
    assert all(shape[0] <= 8 for shape in calls)  # one call per step for both trees
