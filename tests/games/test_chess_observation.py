"""Chess observation planes: layout against a python-chess piece-map oracle with history, repetition
planes, scalar planes, and colour symmetry (a game and its colour-mirrored twin look the same)."""
from __future__ import annotations

import chess
import numpy as np

from games.chess import ChessGame, ChessState
from games.chess.observation import (
    CASTLING_PLANE0,
    COLOUR_PLANE,
    HISTORY,
    MOVE_COUNT_PLANE,
    NO_PROGRESS_PLANE,
    PLANES_PER_POSITION,
)

GAME = ChessGame()


def oracle_piece_planes(board: chess.Board, mover: chess.Color) -> np.ndarray:
    """float32 [12, 8, 8]: ``board``'s pieces seen by ``mover`` (flipped for Black), from its piece map."""
    planes = np.zeros((12, 8, 8), np.float32)
    for square, piece in board.piece_map().items():
        seen = square if mover == chess.WHITE else chess.square_mirror(square)
        plane = piece.piece_type - 1 + (0 if piece.color == mover else 6)
        planes[plane, chess.square_rank(seen), chess.square_file(seen)] = 1.0
    return planes


def play_random(state: ChessState, plies: int, rng: np.random.Generator) -> list[chess.Move]:
    moves = []
    for _ in range(plies):
        if state.is_terminal():
            break
        legal = state.legal_actions()
        action = int(legal[rng.integers(len(legal))])
        moves.append(state.action_to_move(action))
        state.apply(action)
    return moves


def test_start_position_planes() -> None:
    obs = GAME.new_state().observation()
    assert obs.shape == (119, 8, 8) and obs.dtype == np.float32
    assert obs[0, 1].all() and obs[0].sum() == 8  # own pawns on rank 2
    assert obs[6, 6].all() and obs[6].sum() == 8  # opponent's pawns on rank 7
    assert obs[5, 0, 4] == 1 and obs[11, 7, 4] == 1  # kings on e1 / e8
    assert not obs[PLANES_PER_POSITION:COLOUR_PLANE].any()  # no history before the start
    assert not obs[COLOUR_PLANE].any()
    assert obs[CASTLING_PLANE0:CASTLING_PLANE0 + 4].all()
    assert not obs[MOVE_COUNT_PLANE].any() and not obs[NO_PROGRESS_PLANE].any()


def test_black_to_move_is_flipped_and_history_is_seen_by_the_mover() -> None:
    obs = GAME.state_from_moves(["e4"]).observation()
    assert obs[COLOUR_PLANE].all()
    assert obs[0, 1].all() and obs[0].sum() == 8  # Black's pawns, seen from Black, on "rank 2"
    assert obs[6, 4, 4] == 1 and obs[6, 6, 4] == 0 and obs[6].sum() == 8  # the e4 pawn, flipped
    assert obs[5, 0, 4] == 1  # Black's king on e8 appears on e1
    previous = obs[PLANES_PER_POSITION:2 * PLANES_PER_POSITION]
    assert previous[0, 1].all() and previous[6, 6].all()  # the start position, from Black's side


def test_piece_planes_match_the_oracle_with_history() -> None:
    rng = np.random.default_rng(4)
    for _ in range(12):
        state = GAME.new_state()
        play_random(state, int(rng.integers(1, 120)), rng)
        obs = state.observation()
        board = state.board.copy()
        mover = board.turn
        for t in range(HISTORY):
            base = t * PLANES_PER_POSITION
            expected = oracle_piece_planes(board, mover) if t <= len(state.history) else np.zeros((12, 8, 8))
            assert np.array_equal(obs[base:base + 12], expected), t
            if board.move_stack:
                board.pop()
            else:
                board = chess.Board("8/8/8/8/8/8/8/8 w - - 0 1")  # before the start: empty planes
        assert obs[CASTLING_PLANE0, 0, 0] == state.board.has_kingside_castling_rights(mover)
        assert obs[CASTLING_PLANE0 + 3, 0, 0] == state.board.has_queenside_castling_rights(not mover)
        assert np.isclose(obs[NO_PROGRESS_PLANE, 0, 0], min(state.board.halfmove_clock / 100, 1.0))
        assert np.allclose(obs[MOVE_COUNT_PLANE], len(state.history) / 512)


def test_repetition_planes() -> None:
    shuffle = ["Nf3", "Nf6", "Ng1", "Ng8"]
    second = GAME.state_from_moves(shuffle).observation()
    assert second[12].all() and not second[13].any()  # the start position, second time
    assert not second[PLANES_PER_POSITION + 12].any()  # the position before: first time
    third = GAME.state_from_moves(shuffle * 2).observation()
    assert third[12].all() and third[13].all()
    assert third[PLANES_PER_POSITION + 12].all() and not third[PLANES_PER_POSITION + 13].any()


def test_scalar_planes_from_fen() -> None:
    obs = GAME.state_from_string("r3k2r/8/8/8/8/8/8/R3K3 b Qk - 50 128").observation()
    assert not obs[MOVE_COUNT_PLANE].any() and np.allclose(obs[NO_PROGRESS_PLANE], 0.5)
    # Black to move: own king side yes, own queen side no, opponent king side no, queen side yes.
    assert [obs[CASTLING_PLANE0 + i, 3, 3] for i in range(4)] == [1.0, 0.0, 0.0, 1.0]
    assert not obs[PLANES_PER_POSITION:COLOUR_PLANE].any()  # a FEN carries no history


def test_colour_mirrored_games_give_the_same_observation() -> None:
    """A game and its colour-mirrored twin (board.mirror(), mirrored moves) agree on every plane but
    the colour plane, at every ply, history included."""
    rng = np.random.default_rng(9)
    for _ in range(10):
        start = GAME.new_state()
        play_random(start, int(rng.integers(0, 80)), rng)
        if start.is_terminal():
            continue
        state = GAME.state_from_string(str(start))
        twin = GAME.state_from_string(start.board.mirror().fen())
        for move in play_random(state.copy(), 12, rng):
            twin_move = chess.Move(chess.square_mirror(move.from_square), chess.square_mirror(move.to_square),
                                   move.promotion)
            assert twin.move_to_action(twin_move) == state.move_to_action(move)
            state.apply(state.move_to_action(move))
            twin.apply(twin.move_to_action(twin_move))
            a, b = state.observation(), twin.observation()
            keep = np.arange(a.shape[0]) != COLOUR_PLANE
            assert np.array_equal(a[keep], b[keep])
            assert np.array_equal(a[COLOUR_PLANE], 1.0 - b[COLOUR_PLANE])
            assert np.array_equal(state.legal_actions(), twin.legal_actions())
