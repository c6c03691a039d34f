"""Chess MCTS on the compiled core visits the same tree as the python-chess path (uniform and material
evaluators, a network through compiled leaf replay); mates are found; a stop request ends a search."""
from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from games.registry import make_game
from search.evaluators import MaterialEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig

CHESS = make_game("chess")
POSITIONS = [
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",  # Kiwipete
    "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
    "2r3k1/5ppp/8/8/8/8/4R3/4R1K1 w - - 0 1",  # mate in two
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",  # promotions
]


def _with_history() -> object:
    """A state whose root has history: knights out and back (a repeated position) then e4."""
    return CHESS.state_from_moves(["Nf3", "Nf6", "Ng1", "Ng8", "Nf3", "Nf6", "e4"])


def _pair(evaluator: object, sims: int, **config: object) -> tuple[BatchedMCTS, BatchedMCTS]:
    cfg = MCTSConfig(num_simulations=sims, **config)  # type: ignore[arg-type]
    fast = BatchedMCTS(CHESS, cfg, evaluator)  # type: ignore[arg-type]
    slow = BatchedMCTS(CHESS, dataclasses.replace(cfg, compiled=False), evaluator)  # type: ignore[arg-type]
    return fast, slow


@pytest.mark.parametrize("evaluator", [UniformEvaluator(), MaterialEvaluator()], ids=["uniform", "material"])
def test_compiled_tree_equals_python_chess_tree(evaluator: object) -> None:
    fast, slow = _pair(evaluator, 300)
    assert fast.whole_simulations and not slow.whole_simulations and not slow.compiled_leaves
    states = [CHESS.state_from_string(fen) for fen in POSITIONS] + [_with_history()]
    for state in states:
        a, b = fast.search([state])[0], slow.search([state])[0]  # type: ignore[list-item]
        np.testing.assert_array_equal(a.visit_counts, b.visit_counts)
        np.testing.assert_allclose(a.q_values, b.q_values, atol=1e-6)
        assert a.tree_nodes == b.tree_nodes and a.action == b.action and a.proven_value == b.proven_value
        n = a.tree_nodes  # the same nodes in the same order
        np.testing.assert_array_equal(fast.tree.action[0, :n], slow.tree.action[0, :n])
        np.testing.assert_array_equal(fast.tree.parent[0, :n], slow.tree.parent[0, :n])
        fast.reset()
        slow.reset()


def test_network_leaves_replayed_in_compiled_code_equal_python_replay() -> None:
    rng = np.random.default_rng(3)
    table = rng.normal(size=(int(np.prod(CHESS.spec.observation_shape)), CHESS.spec.num_actions)).astype(np.float32)
    calls = {"n": 0}

    def net(obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls["n"] += 1
        flat = obs.reshape(len(obs), -1)
        logits = (flat @ table) * 0.01
        values = np.tanh(flat[:, :64].sum(axis=1) * 0.01 - flat[:, 64:128].sum(axis=1) * 0.01)
        return logits.astype(np.float32), values.astype(np.float32)

    fast, slow = _pair(net, 96, leaves_per_eval=8)
    assert fast.compiled_leaves and not slow.compiled_leaves
    states = [CHESS.state_from_string(POSITIONS[1]), _with_history()]
    for state in states:
        a, b = fast.search([state])[0], slow.search([state])[0]  # type: ignore[list-item]
        np.testing.assert_array_equal(a.visit_counts, b.visit_counts)
        np.testing.assert_allclose(a.q_values, b.q_values, atol=1e-6)


def test_compiled_search_finds_mates_and_rollouts_run() -> None:
    state = CHESS.state_from_string(POSITIONS[3])
    s = BatchedMCTS(CHESS, MCTSConfig(num_simulations=2000), MaterialEvaluator()).search([state])[0]
    assert state.action_to_string(s.action) == "Re8+" and s.proven_value == 1.0
    from search.evaluators import RolloutEvaluator

    search = BatchedMCTS(CHESS, MCTSConfig(num_simulations=64), RolloutEvaluator())
    assert search.whole_simulations
    r = search.search([CHESS.new_state()])[0]
    assert r.simulations == 64 and abs(r.value) <= 1.0


def test_stop_request_ends_an_unlimited_search() -> None:
    BatchedMCTS(CHESS, MCTSConfig(num_simulations=10), MaterialEvaluator()).search([CHESS.new_state()])  # compile
    search = BatchedMCTS(CHESS, MCTSConfig(num_simulations=0, max_seconds=60.0), MaterialEvaluator())
    threading.Timer(0.3, search.request_stop).start()
    start = time.perf_counter()
    s = search.search([CHESS.new_state()])[0]
    assert time.perf_counter() - start < 5.0 and s.simulations > 0
