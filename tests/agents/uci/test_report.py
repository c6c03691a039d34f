"""Info-line contents: value -> centipawns, win/draw/loss, depths, proven mate distances, lines and pvs."""
from __future__ import annotations

import math

import chess
import numpy as np
import pytest

from agents.uci.lines import depth_stats, mate_plies, root_lines, tree_depth
from agents.uci.report import MATERIAL_CP_SCALE, NETWORK_CP_SCALE, centipawns, uci_moves, wdl
from games.registry import make_game
from search.evaluators import MaterialEvaluator
from search.mcts import BatchedMCTS, MCTSConfig


def test_centipawns_invert_the_evaluators_curves() -> None:
    assert NETWORK_CP_SCALE == 400 and MATERIAL_CP_SCALE == 1000
    assert centipawns(0.0, NETWORK_CP_SCALE) == 0
    assert centipawns(math.tanh(150 / 400), NETWORK_CP_SCALE) == 150  # the distillation label tanh(cp / 400)
    assert centipawns(math.tanh(3 / 10), MATERIAL_CP_SCALE) == 300  # three pawns up for the material values
    assert centipawns(-0.5, NETWORK_CP_SCALE) == -centipawns(0.5, NETWORK_CP_SCALE) == -220
    assert centipawns(1.0, NETWORK_CP_SCALE) == centipawns(2.0, NETWORK_CP_SCALE) < 3000


@pytest.mark.parametrize("q", [-1.0, -0.6, 0.0, 0.3, 0.99, 1.0])
def test_wdl(q: float) -> None:
    w, d, l = wdl(q)
    assert w + d + l == 1000 and min(w, d, l) >= 0
    assert (w - l) / 1000 == pytest.approx(q, abs=2e-3)
    assert wdl(0.0) == (250, 500, 250)
    assert wdl(1.0, proven=True) == (1000, 0, 0) and wdl(0.0, proven=True) == (0, 1000, 0)
    assert wdl(-1.0, proven=True) == (0, 0, 1000)


def test_depth_stats() -> None:
    parent = np.array([-1, 0, 0, 1, 3, 3], np.int32)  # depths 1, 1, 2, 3, 3
    mean, deepest = depth_stats(parent, 6)
    assert mean == pytest.approx(10 / 5) and deepest == 3
    assert depth_stats(parent, 1) == (0.0, 0)


def _searched(fen: str, sims: int) -> tuple[BatchedMCTS, chess.Board]:
    game = make_game("chess")
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=sims), MaterialEvaluator())
    state = game.state_from_string(fen)
    mcts.search([state])
    return mcts, state.board  # type: ignore[attr-defined]


def test_mate_distances_and_lines() -> None:
    mcts, board = _searched("kbK5/pp6/1P6/8/8/8/8/R7 w - - 0 1", 3000)  # mate in 2: Ra6! bxa6 b7#
    t = mcts.tree
    assert t.terminal_value[0, 0] == 1.0
    plies = mate_plies(t.player[0], t.terminal_value[0], t.first_edge[0], t.num_edges[0], t.edge_child[0],
                       int(t.node_count[0]))
    assert plies[0] == 3
    best = root_lines(t, 3)[0]
    assert best.mate == 2 and best.proven and best.q == 1.0
    assert uci_moves(board, best.pv)[:3] in (["a1a6", "b7a6", "b6b7"], ["a1a6", "b8c7", "a6a7"])


def test_mated_side_sees_negative_mate() -> None:
    mcts, board = _searched("7k/8/6KQ/8/8/8/8/8 b - - 0 1", 500)  # Kg8 (forced) Qg7#
    lines = root_lines(mcts.tree, 5)
    assert len(lines) == 1 and lines[0].mate == -1 and lines[0].q == -1.0
    assert uci_moves(board, lines[0].pv) == ["h8g8", "h6g7"]


def test_multipv_lines_and_first() -> None:
    mcts, board = _searched(chess.STARTING_FEN, 2000)
    lines = root_lines(mcts.tree, 4)
    assert len(lines) == 4 and len({line.action for line in lines}) == 4
    assert [line.visits for line in lines] == sorted((line.visits for line in lines), reverse=True)
    assert all(len(line.pv) >= 2 and line.mate is None for line in lines)
    first = lines[3].action
    assert root_lines(mcts.tree, 2, first=first)[0].action == first
    mean, deepest = tree_depth(mcts.tree)
    assert 1.0 <= mean <= deepest
    assert len(uci_moves(board, lines[0].pv)) == len(lines[0].pv)
