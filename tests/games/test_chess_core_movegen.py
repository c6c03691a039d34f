"""Legal moves and positions of the compiled chess core against python-chess: the legal action sets of
more than 10,000 positions (random games and the PGN of games against Stockfish), whole rows after
copy-make (Zobrist key, repetition count, en passant, clocks) against rows built from the ChessState,
and FEN round trips."""
from __future__ import annotations

import chess
import numpy as np
import pytest

from games.chess.convert import HISTORY_ROWS, fen_rows, root_rows, row_to_board, row_to_fen
from games.chess.position import STATE_SIZE, W_EP, W_KEY, W_REPS, W_VALID, compute_key
from tests.games.chess_core_support import (
    GAME,
    KIWIPETE,
    POSITION_4,
    POSITION_5,
    Follower,
    pgn_boards,
    python_legal_actions,
    random_action,
)
from tests.games.test_chess_core_perft import TRICKY

RANDOM_GAMES = 40
"""Random games of the legal-set test (about 13,000 positions)."""
ROW_EVERY = 4
"""Compare whole rows and FENs at every ROW_EVERY-th position of the random games (and at the ends)."""


def test_legal_sets_rows_and_fens_along_random_games() -> None:
    rng = np.random.default_rng(2024)
    positions = 0
    for game in range(RANDOM_GAMES):
        state = GAME.new_state()
        follower = Follower(state)
        shuffle = 0.3 if game % 4 == 0 else 0.0  # some games repeat positions
        while True:
            positions += 1
            legal = state.legal_actions()
            compiled, _ = follower.legal_and_termination()
            assert np.array_equal(compiled, legal), str(state)
            if positions % ROW_EVERY == 0 or state.is_terminal():
                assert np.array_equal(follower.row, root_rows(state)[-1]), str(state)
                assert row_to_fen(follower.row) == state.board.fen()
            if state.is_terminal():
                break
            action = random_action(state, legal, rng, shuffle)
            state.apply(action)
            follower.apply(action)
    assert positions > 10_000


def test_legal_sets_and_rows_along_the_pgn_games() -> None:
    boards = pgn_boards()
    assert len(boards) > 1_000
    for board in boards:
        if not board.move_stack:  # a game's first position (some start from a FEN)
            state = GAME.state_from_string(board.fen())
            follower = Follower(state)
        else:
            action = state.move_to_action(board.move_stack[-1])
            state.apply(action)
            follower.apply(action)
        assert state.board.fen() == board.fen()
        compiled, _ = follower.legal_and_termination()
        assert np.array_equal(compiled, python_legal_actions(board)), board.fen()
        assert np.array_equal(follower.row, root_rows(state)[-1])
        assert row_to_fen(follower.row) == board.fen()


@pytest.mark.parametrize("fen", TRICKY + [KIWIPETE, POSITION_4, POSITION_5])
def test_tricky_trees_to_depth_2(fen: str) -> None:
    """Legal sets, rows and FENs at every node two plies deep, from both colours' view."""
    for board in (chess.Board(fen), chess.Board(fen).mirror()):
        root = GAME.state_from_string(board.fen())
        follower = Follower(root)
        for action in follower.legal():
            child = root.copy()
            child.apply(int(action))
            below = Follower(child)
            assert np.array_equal(below.legal(), child.legal_actions())
            follower.apply(int(action))
            assert np.array_equal(follower.row, root_rows(child)[-1]), (fen, child.board.fen())
            assert row_to_fen(follower.row) == child.board.fen()
            follower.d -= 1


@pytest.mark.parametrize("fen", TRICKY + [
    "rnbqkbnr/ppp1pppp/8/3pP3/8/8/PPPP1PPP/RNBQKBNR w KQkq d6 0 3",  # legal en passant: kept
    "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq d6 0 2",  # no capturer: dropped
    "4k3/8/8/8/8/8/8/4K3 b - - 87 213",  # clocks
])
def test_fen_round_trip(fen: str) -> None:
    row = fen_rows(fen)[-1]
    assert row_to_fen(row) == chess.Board(fen).fen()
    assert row_to_board(row).fen() == chess.Board(fen).fen()


def test_root_rows_hold_the_known_history() -> None:
    state = GAME.state_from_moves(["e4", "e5", "Nf3", "Nc6", "Ng1", "Nb8"])
    rows = root_rows(state)
    assert rows.shape == (HISTORY_ROWS, STATE_SIZE)
    assert not rows[:HISTORY_ROWS - 7].any()  # absent rows before the start are zeros
    assert rows[HISTORY_ROWS - 7:, W_VALID].all()
    assert rows[-1, W_REPS] == 1  # the position after 2...Nb8 occurred after 1...e5
    for r in range(HISTORY_ROWS - 7, HISTORY_ROWS):
        assert rows[r, W_KEY] == compute_key(rows, r)
    assert rows[-1, W_KEY] == rows[-5, W_KEY] and rows[-1, W_KEY] != rows[-3, W_KEY]
    rng = np.random.default_rng(5)
    long_game = GAME.new_state()
    while len(long_game.history) < 130:
        if long_game.is_terminal():
            long_game = GAME.new_state()
        long_game.apply(random_action(long_game, long_game.legal_actions(), rng))
    rows = root_rows(long_game)  # 131 known positions: the last 100 are kept
    assert rows[:, W_VALID].all() and np.array_equal(rows[-1], Follower(long_game).row)
    keys, reps = long_game.position_records()
    assert np.array_equal(rows[:, W_REPS], reps[-HISTORY_ROWS:])


def test_en_passant_square_only_when_legal() -> None:
    follower = Follower(GAME.new_state())
    for move in ["e4", "a6", "e5", "d5"]:  # exd6 e.p. is legal
        follower.apply(follower_action(follower, move))
    assert follower.row[W_EP] == chess.D6
    follower = Follower(GAME.new_state())
    for move in ["e4", "d5"]:  # no white pawn next to d5
        follower.apply(follower_action(follower, move))
    assert follower.row[W_EP] == -1


def follower_action(follower: Follower, san: str) -> int:
    """The action of ``san`` in the follower's current position."""
    return GAME.state_from_string(row_to_fen(follower.row)).string_to_action(san)
