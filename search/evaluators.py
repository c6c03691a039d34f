"""Evaluators without networks: uniform, random rollout, classical chess material.

Search accepts either a :data:`search.core.Evaluator` callable (observations and legal masks in) or a
:class:`StateEvaluator`, which reads game states directly (a rollout needs the state, not its tensor).
Values are for the player to move, in [-1, 1]; logits are over the whole action space [A].
"""
from __future__ import annotations

import abc
from typing import Sequence

import numpy as np

from games.core import State, UnsupportedGameError, random_playout

PIECE_VALUES = {1: 1.0, 2: 3.0, 3: 3.0, 4: 5.0, 5: 9.0, 6: 0.0}
"""Material of python-chess piece types PAWN=1 .. KING=6 (P1 N3 B3 R5 Q9)."""
MATERIAL_SCALE = 10.0
"""Material difference d (mover minus opponent) is valued tanh(d / MATERIAL_SCALE)."""


class StateEvaluator(abc.ABC):
    """Evaluates game states: ``evaluate_states(states) -> (logits float32 [B, A], values float32 [B])``."""

    kind: str = "state"
    """Short name (``uniform``, ``rollout``, ``material``); for games with compiled rules, search runs
    these three inside compiled code (material = the game's heuristic kernel)."""

    def compiled_params(self) -> np.ndarray:
        """float64 options handed to the game's compiled heuristic kernel (none by default)."""
        return np.zeros(0, np.float64)

    @abc.abstractmethod
    def evaluate_states(self, states: Sequence[State]) -> tuple[np.ndarray, np.ndarray]:
        """Logits float32 [B, A] (only legal entries are read) and values float32 [B] for the mover."""


class UniformEvaluator(StateEvaluator):
    """Uniform priors, value 0 everywhere: pure search. Also usable as an observation-level Evaluator."""

    kind = "uniform"

    def evaluate_states(self, states: Sequence[State]) -> tuple[np.ndarray, np.ndarray]:
        num_actions = states[0].game.spec.num_actions if states else 0
        return np.zeros((len(states), num_actions), np.float32), np.zeros(len(states), np.float32)

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Evaluator contract: zeros logits [B, A] and values [B]."""
        return np.zeros(legal_mask.shape, np.float32), np.zeros(legal_mask.shape[0], np.float32)


class RolloutEvaluator(StateEvaluator):
    """Uniform priors; value = mean return of ``num_rollouts`` uniformly random playouts.

    For games with compiled rules the search does the rollouts in compiled code instead (same distribution);
    here a Python playout serves every other game (slow for chess: hundreds of python-chess moves).
    """

    kind = "rollout"

    def __init__(self, seed: int = 0, num_rollouts: int = 1) -> None:
        if num_rollouts < 1:
            raise ValueError(f"num_rollouts must be >= 1; got {num_rollouts}")
        self.num_rollouts = num_rollouts
        self.rng = np.random.default_rng(seed)

    def evaluate_states(self, states: Sequence[State]) -> tuple[np.ndarray, np.ndarray]:
        num_actions = states[0].game.spec.num_actions if states else 0
        values = np.zeros(len(states), np.float32)
        for i, state in enumerate(states):
            player = state.current_player
            total = 0.0
            for _ in range(self.num_rollouts):
                if hasattr(state, "board"):
                    room = state.game.spec.max_game_length - len(state.history)
                    total += chess_playout_value(state.board, self.rng, room)  # type: ignore[attr-defined]
                else:
                    total += float(random_playout(state.copy(), self.rng).returns()[player])
            values[i] = total / self.num_rollouts
        return np.zeros((len(states), num_actions), np.float32), values


def chess_playout_value(board: "object", rng: np.random.Generator, max_plies: int) -> float:
    """One uniformly random chess playout on a copy of a python-chess ``board`` without the project's
    State bookkeeping (action encoding, repetition keys): the result for the side to move at the start,
    +1 / -1 for checkmate, 0 for stalemate, insufficient material, the fifty-move rule or ``max_plies``
    moves. Threefold repetition is not checked (rare in random play; the playout then runs on)."""
    import chess

    b: chess.Board = board.copy(stack=False)  # type: ignore[attr-defined]
    start_turn = b.turn
    for _ in range(max(max_plies, 0)):
        moves = list(b.legal_moves)
        if not moves:
            if b.is_check():
                return -1.0 if b.turn == start_turn else 1.0
            return 0.0
        if b.halfmove_clock >= 100 or b.is_insufficient_material():
            return 0.0
        b.push(moves[int(rng.integers(len(moves)))])
    return 0.0


def material_difference(board: "object") -> float:
    """Material of the side to move minus the opponent's (P1 N3 B3 R5 Q9) on a python-chess Board."""
    import chess

    b: chess.Board = board  # type: ignore[assignment]
    diff = 0.0
    for piece_type, worth in PIECE_VALUES.items():
        if worth:
            diff += worth * (len(b.pieces(piece_type, b.turn)) - len(b.pieces(piece_type, not b.turn)))
    return diff


class MaterialEvaluator(StateEvaluator):
    """Classical chess baseline needing no training: value tanh(material difference / 10) for the mover;
    priors softmax(capture_bonus * is_capture + check_bonus * gives_check) over the legal moves, i.e.
    uniform with a mild preference for captures and checks (bonus 0 = exactly uniform).

    Cost: python-chess's ``gives_check`` (a push and a pop per legal move) is most of the time of a
    material search (about 60% measured); ``check_bonus=0`` doubles the nodes per second but makes
    mating attacks harder to find.
    """

    kind = "material"

    def __init__(self, capture_bonus: float = 0.5, check_bonus: float = 0.5) -> None:
        self.capture_bonus = capture_bonus
        self.check_bonus = check_bonus

    def compiled_params(self) -> np.ndarray:
        """``[capture_bonus, check_bonus]`` for the compiled chess heuristic."""
        return np.array([self.capture_bonus, self.check_bonus], np.float64)

    def evaluate_states(self, states: Sequence[State]) -> tuple[np.ndarray, np.ndarray]:
        if not states:
            return np.zeros((0, 0), np.float32), np.zeros(0, np.float32)
        if not hasattr(states[0], "board"):
            raise UnsupportedGameError(f"the material evaluator needs chess; got {states[0].game.spec.name}")
        num_actions = states[0].game.spec.num_actions
        logits = np.zeros((len(states), num_actions), np.float32)
        values = np.zeros(len(states), np.float32)
        for i, state in enumerate(states):
            board = state.board  # type: ignore[attr-defined]
            values[i] = np.tanh(material_difference(board) / MATERIAL_SCALE)
            if self.capture_bonus or self.check_bonus:
                self._prior_logits(state, logits[i])
        return logits, values

    def _prior_logits(self, state: State, out: np.ndarray) -> None:
        board = state.board  # type: ignore[attr-defined]
        for action in state.legal_actions():
            move = state.action_to_move(int(action))  # type: ignore[attr-defined]
            bonus = 0.0
            if self.capture_bonus and board.is_capture(move):
                bonus += self.capture_bonus
            if self.check_bonus and board.gives_check(move):
                bonus += self.check_bonus
            out[action] = bonus
