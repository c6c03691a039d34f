"""The 8x8x73 chess action encoding: golden numbers, table consistency, and on thousands of random
positions the decoded legal actions equal python-chess's legal moves, round trip and are unique."""
from __future__ import annotations

import random

import chess
import numpy as np
import pytest

from games.chess import NUM_ACTIONS, ChessGame, action_to_move, move_to_action
from games.chess.actions import KNIGHT_PLANE0, UNDERPROMOTION_PLANE0, legal_actions_and_moves
from games.core import IllegalActionError


def _mirror_move(move: chess.Move) -> chess.Move:
    return chess.Move(chess.square_mirror(move.from_square), chess.square_mirror(move.to_square), move.promotion)


def random_positions(count: int, seed: int) -> list[chess.Board]:
    """``count`` positions from seeded random games played with python-chess alone (every ply kept)."""
    rng = random.Random(seed)
    boards: list[chess.Board] = []
    while len(boards) < count:
        board = chess.Board()
        while not board.is_game_over(claim_draw=False) and len(boards) < count:
            boards.append(board.copy(stack=False))
            board.push(rng.choice(list(board.legal_moves)))
    return boards


def test_golden_action_numbers() -> None:
    board = chess.Board()
    assert NUM_ACTIONS == 4672
    assert move_to_action(board, chess.Move.from_uci("e2e4")) == 1 * 64 + chess.E2  # N, distance 2
    assert move_to_action(board, chess.Move.from_uci("g1f3")) == (KNIGHT_PLANE0 + 7) * 64 + chess.G1
    board.push_uci("e2e4")
    # Black's e7e5 is White's e2e4 seen from the other side.
    assert move_to_action(board, chess.Move.from_uci("e7e5")) == 1 * 64 + chess.E2
    castle = chess.Board("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1")
    assert move_to_action(castle, chess.Move.from_uci("e1g1")) == (2 * 7 + 1) * 64 + chess.E1  # E, 2
    assert move_to_action(castle, chess.Move.from_uci("e1c1")) == (6 * 7 + 1) * 64 + chess.E1  # W, 2
    promo = chess.Board("1n5k/P7/8/8/8/8/8/K7 w - - 0 1")
    assert move_to_action(promo, chess.Move.from_uci("a7a8q")) == 0 * 64 + chess.A7  # queen-move plane
    assert move_to_action(promo, chess.Move.from_uci("a7b8r")) == (UNDERPROMOTION_PLANE0 + 8) * 64 + chess.A7
    assert move_to_action(promo, chess.Move.from_uci("a7a8n")) == (UNDERPROMOTION_PLANE0 + 1) * 64 + chess.A7
    assert action_to_move(promo, 0 * 64 + chess.A7) == chess.Move.from_uci("a7a8q")
    assert action_to_move(promo, (1 * 7) * 64 + chess.A7) == chess.Move.from_uci("a7b8q")


def test_every_action_decodes_to_a_distinct_move_and_back() -> None:
    # No pawns: queen-like moves never turn into promotions, so decoding is pure geometry.
    for board in (chess.Board("4k3/8/8/8/8/8/8/4K3 w - - 0 1"), chess.Board("4k3/8/8/8/8/8/8/4K3 b - - 0 1")):
        seen: set[tuple[int, int, int | None]] = set()
        on_board = 0
        for action in range(NUM_ACTIONS):
            try:
                move = action_to_move(board, action)
            except IllegalActionError:
                continue
            on_board += 1
            key = (move.from_square, move.to_square, move.promotion)
            assert key not in seen
            seen.add(key)
            assert move_to_action(board, move) == action
        # 1456 queen-like + 336 knight + 462 underpromotion destinations lie on the board.
        assert on_board == 1456 + 336 + 462


@pytest.mark.parametrize("action", [-1, NUM_ACTIONS, 10**9, 0 * 64 + chess.A8, (KNIGHT_PLANE0 * 64) + chess.H8])
def test_out_of_range_or_off_board_actions_raise(action: int) -> None:
    with pytest.raises(IllegalActionError):
        action_to_move(chess.Board(), action)


@pytest.mark.parametrize("uci", ["0000", "a1h2", "a2b4n", "e7e8k"])
def test_moves_without_encoding_raise(uci: str) -> None:
    with pytest.raises(IllegalActionError):
        move_to_action(chess.Board(), chess.Move.from_uci(uci))


def test_random_positions_legal_sets_round_trip_and_uniqueness() -> None:
    """2,500 positions of random games: decoded legal actions == python-chess's legal moves, every
    action round-trips, no two moves share an action, and the mirrored position has equal actions."""
    boards = random_positions(2_500, seed=7)
    kinds = {"castling": 0, "en_passant": 0, "underpromotion": 0, "queen_promotion": 0, "black": 0}
    for board in boards:
        legal = list(board.legal_moves)
        actions = [move_to_action(board, m) for m in legal]
        assert len(set(actions)) == len(actions)
        assert all(0 <= a < NUM_ACTIONS for a in actions)
        assert [action_to_move(board, a) for a in actions] == legal
        fast_actions, fast_moves = legal_actions_and_moves(board)
        assert fast_actions == sorted(actions)
        assert all(fast_moves[a] == m for a, m in zip(actions, legal))
        mirrored = board.mirror()
        assert sorted(move_to_action(mirrored, _mirror_move(m)) for m in legal) == fast_actions
        kinds["black"] += not board.turn
        for move in legal:
            kinds["castling"] += board.is_castling(move)
            kinds["en_passant"] += board.is_en_passant(move)
            kinds["underpromotion"] += move.promotion not in (None, chess.QUEEN)
            kinds["queen_promotion"] += move.promotion == chess.QUEEN
    # The sample really exercises the special moves.
    assert all(count > 0 for count in kinds.values()), kinds


def test_state_legal_actions_match_on_random_positions() -> None:
    """Through the State API (FEN in, sorted int64 out, cheap is_legal agrees) on 300 positions."""
    game = ChessGame()
    rng = np.random.default_rng(3)
    for board in random_positions(300, seed=11):
        state = game.state_from_string(board.fen())
        legal = state.legal_actions()
        assert legal.dtype == np.int64
        assert np.all(np.diff(legal) > 0)
        if state.is_terminal():
            assert len(legal) == 0
            continue
        assert {state.action_to_move(int(a)) for a in legal} == set(board.legal_moves)
        mask = state.legal_action_mask()
        assert mask.sum() == len(legal) and mask[legal].all()
        for action in rng.integers(0, NUM_ACTIONS, size=20):
            fresh = game.state_from_string(board.fen())  # is_legal before any legal-move list exists
            assert fresh.is_legal(int(action)) == bool(mask[action])
