"""Perft through the project's chess State: legal_actions, the action encoding round trip and apply on
copies must count exactly the published move-generation totals (start position, Kiwipete, positions
3, 4 and 5 of the chessprogramming wiki: castling, en passant, promotion and check edge cases)."""
from __future__ import annotations

import chess
import pytest

from games.chess import ChessGame, ChessState, action_to_move, move_to_action
from games.chess.actions import legal_actions_and_moves

START = chess.STARTING_FEN
KIWIPETE = "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1"
POSITION_3 = "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1"
POSITION_4 = "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1"
POSITION_5 = "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8"


def perft_state(state: ChessState, depth: int) -> int:
    """Leaf count at ``depth`` using only the State API, checking the encoding at every node."""
    legal = state.legal_actions()
    board = state.board
    # Every legal action decodes to a legal python-chess move that encodes back to itself.
    decoded = {action_to_move(board, int(a)) for a in legal}
    assert decoded == set(board.legal_moves)
    for move in decoded:
        assert int(legal[legal.searchsorted(move_to_action(board, move))]) == move_to_action(board, move)
    if depth == 1:
        return len(legal)
    total = 0
    for action in legal:
        child = state.copy()
        child.apply(int(action))
        total += perft_state(child, depth - 1)
    return total


def perft_board(board: chess.Board, depth: int) -> int:
    """Leaf count with python-chess push/pop, the moves coming from our encoder's legal list."""
    actions, moves = legal_actions_and_moves(board)
    assert len(actions) == len(moves)
    if depth == 1:
        return len(actions)
    total = 0
    for action in actions:
        board.push(moves[action])
        total += perft_board(board, depth - 1)
        board.pop()
    return total


@pytest.mark.parametrize(
    ("fen", "depth", "expected"),
    [
        (START, 1, 20),
        (START, 2, 400),
        (START, 3, 8_902),
        (START, 4, 197_281),
        (KIWIPETE, 1, 48),
        (KIWIPETE, 2, 2_039),
        (KIWIPETE, 3, 97_862),
        (POSITION_3, 4, 43_238),
        (POSITION_4, 3, 9_467),
        (POSITION_5, 3, 62_379),
    ],
)
def test_perft_through_state(fen: str, depth: int, expected: int) -> None:
    state = ChessGame().state_from_string(fen)
    assert perft_state(state, depth) == expected


@pytest.mark.parametrize(
    ("fen", "depth", "expected"),
    [(START, 4, 197_281), (KIWIPETE, 4, 4_085_603), (POSITION_3, 5, 674_624), (POSITION_4, 3, 9_467)],
)
def test_perft_with_encoder_on_python_chess_push_pop(fen: str, depth: int, expected: int) -> None:
    assert perft_board(chess.Board(fen), depth) == expected


def test_perft_from_black_to_move() -> None:
    """The colour-mirrored Position 4 (Black to move) has the same counts: the flip is right."""
    mirrored = chess.Board(POSITION_4).mirror()
    assert not mirrored.turn
    assert perft_state(ChessGame().state_from_string(mirrored.fen()), 3) == 9_467
