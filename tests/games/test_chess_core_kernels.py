"""The protocol kernels of the compiled chess core against the python-chess references: observation planes
(more than 2,000 positions, repetitions and FEN starts with history included), the material heuristic
(values and logits exactly), random playouts replayed move by move through ChessState, the kernels
compiled without reference counting (they allocate nothing), and chess MCTS visiting the same tree on
either core."""
from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from games.chess import ChessGame, ChessState
from games.chess.convert import HISTORY_ROWS, root_rows
from games.chess.kernels import chess_heuristic, chess_observe, chess_rollout
from games.chess.movegen import MAX_MOVES
from games.chess.planes import OBSERVATION_SIZE
from games.chess.position import W_VALID
from games.chess.rules import ChessRules, chess_compiled
from games.compiled import (
    new_stack,
    rules_apply,
    rules_expand,
    rules_heuristic,
    rules_observe,
    rules_outcome,
    rules_player,
    rules_rollout,
)
from search.evaluators import MaterialEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig
from tests.games.chess_core_support import (
    GAME,
    KIWIPETE,
    POSITION_5,
    RULES,
    Follower,
    random_action,
)
from tests.games.test_chess_core_perft import TRICKY

CHECKS = [
    "8/8/8/1k1pP2R/8/8/8/4K3 w - d6 0 2",  # exd6 e.p. uncovers the rook's check along the rank
    "8/4P3/8/8/4k3/8/8/K7 w - - 0 1",  # e8=Q checks down the file the pawn leaves
    "5k2/8/8/8/8/8/8/4K2R w K - 0 1",  # O-O checks with the rook
    "3k4/8/8/8/8/8/8/R3K3 w Q - 0 1",  # O-O-O checks with the rook
    "4k3/8/8/8/4N3/8/8/4R1K1 w - - 0 1",  # knight moves uncover the rook, some check twice
    "4k3/8/8/2B5/8/8/8/Q5K1 w - - 0 1",  # bishop and queen checks
    "8/8/8/3k4/8/3P4/8/B3K3 w - - 0 1",  # pawn checks
]
"""Positions whose moves give every kind of check."""


def observation_games() -> list[tuple[ChessGame, ChessState, float]]:
    """(game, start state, probability of moving back) of the observation test's games."""
    short = ChessGame(300)
    starts: list[tuple[ChessGame, ChessState, float]] = []
    for i in range(6):
        starts.append((GAME, GAME.new_state(), 0.4))  # many repetitions
        starts.append((short, short.new_state(), 0.0))
    for fen in (KIWIPETE, POSITION_5, "4k3/8/8/8/8/8/8/R3K2R w KQ - 60 90", TRICKY[3], TRICKY[12]):
        starts.append((GAME, GAME.state_from_moves([], fen), 0.2))
        state = GAME.state_from_string(fen)  # a FEN start with a history of moves
        for _ in range(3):
            if not state.is_terminal():
                state.apply(int(state.legal_actions()[0]))
        starts.append((GAME, state, 0.2))
    return starts


def test_observations_equal_the_python_planes() -> None:
    rng = np.random.default_rng(7)
    out = np.zeros(OBSERVATION_SIZE, np.float32)
    positions = repeated = 0
    for game, state, shuffle in observation_games():
        rules = ChessRules(game.spec.max_game_length)
        follower = Follower(state, rules)
        while True:
            chess_observe(rules, follower.stack, follower.d, out)
            assert np.array_equal(out, state.observation().reshape(-1)), str(state)
            positions += 1
            repeated += state.repetitions() > 0
            if state.is_terminal() or positions > 2_400 and shuffle == 0.0:
                break
            action = random_action(state, state.legal_actions(), rng, shuffle)
            state.apply(action)
            follower.apply(action)
    assert positions >= 2_000 and repeated >= 100


@pytest.mark.parametrize("bonuses", [(0.5, 0.5), (1.0, 0.0), (0.0, 0.75), (0.0, 0.0)])
def test_heuristic_equals_the_material_evaluator(bonuses: tuple[float, float]) -> None:
    rng = np.random.default_rng(int(sum(bonuses) * 100))
    evaluator = MaterialEvaluator(*bonuses)
    hparams = evaluator.compiled_params()
    logits = np.zeros(MAX_MOVES, np.float64)
    states = [GAME.state_from_string(fen) for fen in CHECKS + TRICKY + [KIWIPETE, POSITION_5]]
    for _ in range(4):
        state = GAME.new_state()
        while not state.is_terminal():
            states.append(state.copy())
            state.apply(random_action(state, state.legal_actions(), rng))
    for state in states[::3] + states[:len(CHECKS) + len(TRICKY)]:
        if state.is_terminal():
            continue
        follower = Follower(state)
        legal = follower.legal()
        value = chess_heuristic(RULES, follower.stack, follower.d, legal, len(legal), logits, hparams)
        py_logits, py_values = evaluator.evaluate_states([state])
        assert np.float32(value) == py_values[0], str(state)
        assert np.array_equal(logits[:len(legal)].astype(np.float32), py_logits[0, legal]), str(state)


@njit(cache=True)
def _identify(rules: ChessRules, stack: np.ndarray, r: int, actions: np.ndarray, saved: np.ndarray) -> int:
    """The legal action of row ``r`` that writes row ``r + 1`` as it is (row ``r + 1`` is restored)."""
    saved[:] = stack[r + 1]
    found = -1
    for i in range(rules_expand(rules, stack, r, actions)):
        rules_apply(rules, stack, r, actions[i])
        if np.array_equal(stack[r + 1], saved):
            found = actions[i]
    stack[r + 1] = saved
    return found


def test_rollouts_replayed_through_the_state() -> None:
    rng = np.random.default_rng(3)
    roots = [GAME.new_state(), GAME.state_from_string(KIWIPETE),
             GAME.state_from_string("8/8/8/4k3/8/8/3P4/4K3 w - - 0 1"), GAME.state_from_moves(["Nf3", "Nf6", "Ng1", "Ng8", "Nf3"])]
    deep = GAME.new_state()
    for _ in range(150):
        deep.apply(random_action(deep, deep.legal_actions(), rng))
    roots.append(deep)
    seen: set[float] = set()
    for i in range(24):
        root = roots[i % len(roots)]
        follower = Follower(root)
        value, _ = chess_rollout(RULES, follower.stack, follower.d, follower.actions, np.uint64(1000 + i))
        state = root.copy()
        mover = state.current_player
        r = follower.d
        while r + 1 < follower.stack.shape[0] and follower.stack[r + 1, W_VALID]:
            action = _identify(RULES, follower.stack, r, follower.actions, np.zeros(follower.stack.shape[1], np.int64))
            state.apply(action)  # raises if the move is illegal or the game had ended
            r += 1
        assert state.is_terminal() and state.returns()[mover] == value
        seen.add(value)
    assert len(seen) >= 2  # decisive and drawn playouts


@njit(cache=True, _nrt=False)
def _all_kernels(rules: ChessRules, stack: np.ndarray, d: int, actions: np.ndarray, out: np.ndarray,
                 logits: np.ndarray, hparams: np.ndarray) -> tuple[int, int, float, float, float]:
    """Every protocol function in a loop compiled without reference counting (allocation would not compile)."""
    k = rules_expand(rules, stack, d, actions)
    player = rules_player(rules, stack, d)
    rules_observe(rules, stack, d, out)
    value = rules_heuristic(rules, stack, d, actions, k, logits, hparams)
    rules_apply(rules, stack, d, actions[0])
    playout, _ = rules_rollout(rules, stack, d + 1, actions, np.uint64(9))
    return k, player, value, playout, rules_outcome(rules, stack, d)


def test_kernels_allocate_nothing() -> None:
    state = GAME.state_from_string(KIWIPETE)
    follower = Follower(state)
    out = np.zeros(OBSERVATION_SIZE, np.float32)
    k, player, value, playout, outcome = _all_kernels(RULES, follower.stack, follower.d, follower.actions, out,
                                                      np.zeros(MAX_MOVES), np.array([0.5, 0.5]))
    assert (k, player, value, outcome) == (48, 0, 0.0, 0.0) and playout in (-1.0, 0.0, 1.0)
    assert np.array_equal(out, state.observation().reshape(-1))


def test_compiled_game_declaration() -> None:
    compiled = GAME.spec.compiled
    assert compiled is not None and compiled.rules == ChessRules(512) == chess_compiled(512).rules
    assert (compiled.history, compiled.max_actions, compiled.max_plies) == (HISTORY_ROWS, 218, 512)
    assert compiled.has_rollout and compiled.has_heuristic
    state = GAME.state_from_moves(["e4", "e5"])
    assert np.array_equal(compiled.root(state), root_rows(state))
    assert new_stack(compiled).shape[0] >= HISTORY_ROWS + 512 + 1


@pytest.mark.parametrize(("moves", "fen"), [
    ([], None),
    (["Nf3", "Nf6", "Ng1", "Ng8", "Nf3", "Nf6"], None),  # repetitions inside the tree
    ([], "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1"),  # a mate in one: proven values
])
def test_mcts_visits_the_same_tree_on_both_cores(moves: list[str], fen: str | None) -> None:
    state = GAME.state_from_moves(moves, fen)
    results = []
    for compiled in (True, False):
        config = MCTSConfig(num_simulations=300, compiled=compiled, seed=11)
        search = BatchedMCTS(GAME, config, UniformEvaluator())
        assert search.whole_simulations == compiled
        results.append(search.search([state.copy()])[0])
    fast, slow = results
    assert np.array_equal(fast.visit_counts, slow.visit_counts)
    assert fast.tree_nodes == slow.tree_nodes and fast.value == pytest.approx(slow.value, abs=1e-6)
    assert fast.proven_value == slow.proven_value and fast.action == slow.action
