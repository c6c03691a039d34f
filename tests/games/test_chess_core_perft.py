"""Perft of the compiled chess core: the six standard chessprogramming positions to depth 4 (the wiki's
published totals are the oracle), their colour mirrors, and tricky positions (en passant pins and
checks, castling through attacks, promotions, double check, stalemate) against a python-chess perft."""
from __future__ import annotations

import chess
import pytest

from games.chess.perft import perft
from tests.games.chess_core_support import KIWIPETE, POSITION_3, POSITION_4, POSITION_5, POSITION_6, START

STANDARD = {
    "start": (START, (20, 400, 8_902, 197_281)),
    "kiwipete": (KIWIPETE, (48, 2_039, 97_862, 4_085_603)),
    "position3": (POSITION_3, (14, 191, 2_812, 43_238)),
    "position4": (POSITION_4, (6, 264, 9_467, 422_333)),
    "position5": (POSITION_5, (44, 1_486, 62_379, 2_103_487)),
    "position6": (POSITION_6, (46, 2_079, 89_890, 3_894_594)),
}
"""Perft 1..4 from https://www.chessprogramming.org/Perft_Results."""

TRICKY = [
    "8/8/8/2k5/2pP4/8/B7/4K3 b - d3 0 3",  # en passant illegal: the bishop pins along the diagonal
    "8/8/1k6/2b5/2pP4/8/5K2/8 b - d3 0 1",  # en passant capture of a checking pawn
    "3k4/3p4/8/K1P4r/8/8/8/8 b - - 0 1",  # after d5, cxd6 e.p. would expose the king along the rank
    "8/8/8/KPp4r/8/8/8/k7 w - c6 0 2",  # en passant illegal: rank pin through both pawns
    "8/8/8/8/k1Pp3Q/8/8/4K3 b - c3 0 1",  # en passant capture that leaves the king on a rank with the queen
    "8/8/4k3/8/2p5/8/B2P2K1/8 w - - 0 1",  # d4 discovers nothing; c4 pawn may take e.p. after d4
    "r1bqkbnr/pppppppp/n7/8/8/P7/1PPPPPPP/RNBQKBNR w KQkq - 2 2",
    "5k2/8/8/8/8/8/8/4K2R w K - 0 1",  # castling gives check
    "3k4/8/8/8/8/8/8/R3K3 w Q - 0 1",  # long castling gives check
    "r3k2r/1b4bq/8/8/8/8/7B/R3K2R w KQkq - 0 1",  # castling through attacked squares
    "r3k2r/8/3Q4/8/8/5q2/8/R3K2R b KQkq - 0 1",
    "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1",  # every castling, rooks can be taken
    "2K2r2/4P3/8/8/8/8/8/3k4 w - - 0 1",  # promotion out of check
    "8/8/1P2K3/8/2n5/1q6/8/5k2 b - - 0 1",
    "4k3/1P6/8/8/8/8/K7/8 w - - 0 1",  # underpromotion gives check
    "8/P1k5/K7/8/8/8/8/8 w - - 0 1",
    "K1k5/8/P7/8/8/8/8/8 w - - 0 1",  # self stalemate
    "8/k1P5/8/1K6/8/8/8/8 w - - 0 1",  # stalemate and checkmate
    "8/8/2k5/5q2/5n2/8/5K2/8 b - - 0 1",  # double check
    "n1n5/PPPk4/8/8/8/8/4Kppp/5N1N b - - 0 1",  # promotions with captures, both sides
    "rnbqkbnr/pp1ppppp/8/2pP4/8/8/PPP1PPPP/RNBQKBNR w KQkq c6 0 2",  # en passant at move 2
]
"""Positions with rule edge cases (many from Peter Ellis Jones's perft collection)."""


def python_perft(board: chess.Board, depth: int) -> int:
    """python-chess perft with bulk counting at the last ply."""
    if depth == 1:
        return board.legal_moves.count()
    total = 0
    for move in list(board.legal_moves):
        board.push(move)
        total += python_perft(board, depth - 1)
        board.pop()
    return total


@pytest.mark.parametrize("name", list(STANDARD))
def test_standard_positions_to_depth_4(name: str) -> None:
    fen, counts = STANDARD[name]
    assert [perft(fen, depth) for depth in range(1, 5)] == list(counts)


@pytest.mark.parametrize("name", ["kiwipete", "position4", "position5"])
def test_colour_mirrored_positions(name: str) -> None:
    """Black to move in the colour-mirrored position: the same counts (the generator is symmetric)."""
    fen, counts = STANDARD[name]
    mirrored = chess.Board(fen).mirror()
    assert [perft(mirrored, depth) for depth in range(1, 4)] == list(counts[:3])


@pytest.mark.parametrize("fen", TRICKY)
def test_tricky_positions_against_python_chess(fen: str) -> None:
    board = chess.Board(fen)
    for depth in (1, 2, 3):
        assert perft(board, depth) == python_perft(board, depth), (fen, depth)


def test_depth_zero_and_bad_depth() -> None:
    assert perft(START, 0) == 1
    with pytest.raises(ValueError, match="depth"):
        perft(START, -1)
