"""python-chess <-> rows of the compiled chess core: the root rows of a ChessState, and a board (or FEN)
read back from a row (for tests, agents and debugging).

:data:`HISTORY_ROWS` = H = 100 rows of root history: the observation reads the last 8 positions, and
the repetition count of a new position looks back over its half-move clock, which is at most 100
(100 ends the game): a position written below the root at row ``d + 1 >= H`` reaches back to row
``d + 1 - 100 >= 0``, so every position the search or a playout writes gets its exact count, and the
root's own count comes from the state.
"""
from __future__ import annotations

from typing import Any, Sequence

import chess
import numpy as np
from numba import njit

from games.chess.observation import PositionKey, position_key
from games.chess.position import (
    BLACK_OO,
    BLACK_OOO,
    NO_SQUARE,
    STATE_SIZE,
    W_CASTLING,
    W_EP,
    W_HALFMOVE,
    W_HISTORY,
    W_KEY,
    W_PLY,
    W_REPS,
    W_TURN,
    W_VALID,
    W_WHITE,
    WHITE_OO,
    WHITE_OOO,
    compute_key,
)

HISTORY_ROWS = 100
"""H: rows of root history (the root is row H - 1); see the module docstring."""
_RIGHTS = ((chess.H1, WHITE_OO), (chess.A1, WHITE_OOO), (chess.H8, BLACK_OO), (chess.A8, BLACK_OOO))
"""Rook square of each castling right in python-chess's ``clean_castling_rights()`` and its bit."""


def castling_bits(rook_squares: int) -> int:
    """Castling-right bits of a python-chess castling mask (bitboard of the rooks' squares)."""
    return sum(bits for square, bits in _RIGHTS if rook_squares >> square & 1)


@njit(cache=True)
def _fill_keys(rows: np.ndarray, first: int) -> None:
    for r in range(first, rows.shape[0]):
        rows[r, W_KEY] = compute_key(rows, r)


def key_rows(keys: Sequence[PositionKey], reps: Sequence[int], rows: int) -> np.ndarray:
    """int64 [rows, S]: the last ``len(keys)`` rows hold the positions of repetition ``keys`` (oldest
    first) with their repetition counts ``reps`` and Zobrist keys; earlier rows are absent (zeros).
    Clocks are left 0 (the caller sets the root's)."""
    out = np.zeros((rows, STATE_SIZE), np.int64)
    n = len(keys)
    if n == 0:
        return out
    first = rows - n
    out[first:, :W_WHITE + 2] = np.array([key[:8] for key in keys], dtype=np.uint64).view(np.int64)
    out[first:, W_TURN] = [0 if key[8] else 1 for key in keys]
    out[first:, W_CASTLING] = [castling_bits(key[9]) for key in keys]
    out[first:, W_EP] = [key[10] for key in keys]
    out[first:, W_REPS] = reps
    out[first:, W_VALID] = 1
    _fill_keys(out, first)
    return out


def board_rows(board: chess.Board, keys: Sequence[PositionKey], reps: Sequence[int], history_len: int,
               rows: int = HISTORY_ROWS) -> np.ndarray:
    """int64 [rows, S]: the root ``board`` in the last row (all words) and the positions before it.

    Args:
        board: the current position (``keys[-1]`` is its key).
        keys: repetition keys of the known positions, oldest first; only the last ``rows`` are used.
        reps: their repetition counts (``observation.count_repetitions``).
        history_len: plies played in the state's history (the observation's move-count plane).
        rows: H.
    """
    n = min(rows, len(keys))
    out = key_rows(keys[len(keys) - n:], reps[len(reps) - n:], rows)
    ply = board.ply()
    out[rows - n:, W_PLY] = np.arange(ply - n + 1, ply + 1)
    out[rows - n:, W_HISTORY] = np.arange(history_len - n + 1, history_len + 1)
    out[-1, W_HALFMOVE] = board.halfmove_clock
    return out


def root_rows(state: Any) -> np.ndarray:
    """``CompiledGame.root`` of chess: int64 [H, S] rows of a :class:`~games.chess.state.ChessState`."""
    keys, reps = state.position_records()
    return board_rows(state.board, keys, reps, len(state.history))


def fen_rows(fen: str, rows: int = HISTORY_ROWS) -> np.ndarray:
    """int64 [rows, S]: the position of a FEN alone (no history), as a state parsed from it."""
    board = chess.Board(fen)
    return board_rows(board, [position_key(board)], [0], 0, rows)


def row_to_board(row: np.ndarray) -> chess.Board:
    """The python-chess board of one row (int64 [S]); its en-passant square is the row's (legal) one."""
    board = chess.Board.empty()
    words = row.astype(np.int64).view(np.uint64)
    for colour, colour_word in ((chess.WHITE, W_WHITE), (chess.BLACK, W_WHITE + 1)):
        own = int(words[colour_word])
        for piece_type in chess.PIECE_TYPES:
            for square in chess.scan_forward(int(words[piece_type - 1]) & own):
                board.set_piece_at(square, chess.Piece(piece_type, colour))
    board.turn = chess.WHITE if row[W_TURN] == 0 else chess.BLACK
    board.castling_rights = sum(chess.BB_SQUARES[square] for square, bits in _RIGHTS if row[W_CASTLING] & bits)
    board.ep_square = None if row[W_EP] == NO_SQUARE else int(row[W_EP])
    board.halfmove_clock = int(row[W_HALFMOVE])
    board.fullmove_number = int(row[W_PLY]) // 2 + 1
    return board


def row_to_fen(row: np.ndarray) -> str:
    """The FEN of one row (as python-chess writes it: en passant only when legal)."""
    return row_to_board(row).fen()
