"""Shared helpers of the compiled chess core tests: a stack that follows a ChessState, random games (with
an option to shuffle pieces back and forth so that positions repeat), and python-chess positions from
the project's PGN of games against Stockfish."""
from __future__ import annotations

from pathlib import Path

import chess
import chess.pgn
import numpy as np
from numba import njit

from games.chess import ChessGame, ChessState
from games.chess.convert import HISTORY_ROWS, root_rows
from games.chess.kernels import TERMINATION_NAMES, chess_apply, chess_expand, chess_termination
from games.chess.movegen import MAX_MOVES
from games.chess.rules import ChessRules, chess_compiled
from games.compiled import new_stack, splitmix_below, splitmix_seed

PGN = Path(__file__).resolve().parents[2] / "docs" / "results" / "chess-vs-sf1350" / "games.pgn"
"""20 games of the shipped network against Stockfish at UCI_Elo 1350."""
GAME = ChessGame()
RULES = ChessRules(GAME.spec.max_game_length)
START = chess.STARTING_FEN
KIWIPETE = "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1"
POSITION_3 = "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1"
POSITION_4 = "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1"
POSITION_5 = "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8"
POSITION_6 = "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10"


@njit(cache=True)
def _expand_and_end(rules: ChessRules, stack: np.ndarray, d: int, actions: np.ndarray) -> tuple[int, int]:
    """(expand's count, termination code) of row ``d`` in one call."""
    return chess_expand(rules, stack, d, actions), chess_termination(rules, stack, d)


@njit(cache=True)
def compiled_random_game(rules: ChessRules, stack: np.ndarray, d: int, actions: np.ndarray, seed: int,
                         played: np.ndarray) -> tuple[int, int]:
    """Uniformly random legal actions from row ``d`` until the game ends, all in compiled code: the
    actions go to ``played``; returns (plies played, termination code of the last row)."""
    rng = splitmix_seed(seed)
    plies = 0
    while True:
        k = chess_expand(rules, stack, d + plies, actions)
        if k == 0:
            return plies, chess_termination(rules, stack, d + plies)
        rng, i = splitmix_below(rng, k)
        played[plies] = actions[i]
        chess_apply(rules, stack, d + plies, actions[i])
        plies += 1


class Follower:
    """The compiled core's stack following a ChessState move by move (root rows from the state)."""

    def __init__(self, state: ChessState, rules: ChessRules = RULES) -> None:
        self.rules = rules
        self.stack = new_stack(chess_compiled(rules.max_game_length))
        self.stack[:HISTORY_ROWS] = root_rows(state)
        self.d = HISTORY_ROWS - 1
        self.actions = np.zeros(MAX_MOVES, np.int32)

    def legal_and_termination(self) -> tuple[np.ndarray, str | None]:
        """(sorted legal actions as expand gives them, termination name)."""
        k, code = _expand_and_end(self.rules, self.stack, self.d, self.actions)
        return self.actions[:k].copy(), TERMINATION_NAMES[code]

    def legal(self) -> np.ndarray:
        k = chess_expand(self.rules, self.stack, self.d, self.actions)
        return self.actions[:k].copy()

    def apply(self, action: int) -> None:
        chess_apply(self.rules, self.stack, self.d, action)
        self.d += 1

    @property
    def row(self) -> np.ndarray:
        return self.stack[self.d]


def shuffle_back(state: ChessState, rng: np.random.Generator, probability: float) -> int | None:
    """With ``probability``, the legal action moving the mover's last-moved piece back where it came
    from (so positions repeat); None otherwise or if there is no such move."""
    stack = state.board.move_stack
    if len(stack) < 2 or rng.random() >= probability:
        return None
    last = stack[-2]
    back = chess.Move(last.to_square, last.from_square)
    if last.promotion or not state.board.is_legal(back):
        return None
    return state.move_to_action(back)


def random_action(state: ChessState, legal: np.ndarray, rng: np.random.Generator, shuffle: float = 0.0) -> int:
    """A uniformly random legal action, or (with probability ``shuffle``) a move back."""
    back = shuffle_back(state, rng, shuffle) if shuffle else None
    return int(legal[rng.integers(len(legal))]) if back is None else back


def pgn_boards() -> list[chess.Board]:
    """Every position (copies, move stacks included) of the games of :data:`PGN`."""
    boards = []
    with PGN.open() as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            board = game.board()
            boards.append(board.copy())
            for move in game.mainline_moves():
                board.push(move)
                boards.append(board.copy())
    return boards


def python_legal_actions(board: chess.Board) -> np.ndarray:
    """python-chess's legal moves of ``board`` through the project's encoder, sorted."""
    from games.chess.actions import legal_actions_and_moves

    return np.array(legal_actions_and_moves(board)[0], np.int64)
