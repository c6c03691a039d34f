"""The chess kernels of the compiled-game protocol (:mod:`games.compiled`) and the termination rules.

Termination, in the order and with the semantics of ``ChessState._compute_termination``
(:func:`chess_termination` returns the code; :data:`TERMINATION_NAMES` names it as
``ChessState.termination()`` does):

1. :data:`CHECKMATE` / :data:`STALEMATE`: no legal move, in check or not;
2. :data:`INSUFFICIENT_MATERIAL`: python-chess's ``is_insufficient_material()``;
3. :data:`FIFTY_MOVES`: half-move clock >= 100 (automatic);
4. :data:`THREEFOLD_REPETITION`: the position occurred twice before (automatic);
5. :data:`MAX_LENGTH`: ``board.ply() >= rules.max_game_length``.

The kernels take the rules tag (:class:`games.chess.rules.ChessRules`) first and never allocate:
move lists go into the caller's ``actions`` buffer (int32, at least :data:`~games.chess.movegen.MAX_MOVES`).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.chess.encode import decode_action, encode_move, sort_actions
from games.chess.material import MATERIAL_SCALE, check_info, gives_check, is_capture, material_difference
from games.chess.movegen import generate, in_check
from games.chess.planes import write_observation
from games.chess.position import (
    MOVE_FROM_MASK,
    MOVE_PROMO_SHIFT,
    MOVE_TO_SHIFT,
    W_HALFMOVE,
    W_PLY,
    W_REPS,
    W_TURN,
    insufficient_material,
    make_move,
)
from games.compiled import splitmix_below

ONGOING, CHECKMATE, STALEMATE, INSUFFICIENT_MATERIAL, FIFTY_MOVES, THREEFOLD_REPETITION, MAX_LENGTH = range(7)
"""Termination codes (0: the game goes on)."""
TERMINATION_NAMES: tuple[str | None, ...] = (None, "checkmate", "stalemate", "insufficient_material", "fifty_moves",
                                             "threefold_repetition", "max_length")
"""``ChessState.termination()`` of each code."""
FIFTY_MOVE_PLIES = 100
"""Half-move clock that ends the game."""
CAPTURE_BONUS, CHECK_BONUS = 0, 1
"""Indices of the heuristic's ``hparams``: prior logit of a capture, of a check."""


@njit(cache=True)
def draw_rule(rules: tuple, stack: np.ndarray, d: int) -> int:
    """The first draw rule after mate/stalemate that ends row ``d`` (its code), else :data:`ONGOING`."""
    if insufficient_material(stack, d):
        return INSUFFICIENT_MATERIAL
    if stack[d, W_HALFMOVE] >= FIFTY_MOVE_PLIES:
        return FIFTY_MOVES
    if stack[d, W_REPS] >= 2:
        return THREEFOLD_REPETITION
    if stack[d, W_PLY] >= rules.max_game_length:
        return MAX_LENGTH
    return ONGOING


@njit(cache=True)
def chess_termination(rules: tuple, stack: np.ndarray, d: int) -> int:
    """Termination code of row ``d`` (see the module docstring)."""
    if generate(stack, d, None) == 0:
        return CHECKMATE if in_check(stack, d) else STALEMATE
    return draw_rule(rules, stack, d)


@njit(cache=True)
def chess_apply(rules: tuple, stack: np.ndarray, d: int, action: int) -> None:
    """Row ``d + 1`` = row ``d`` after the legal ``action``."""
    frm, to, promo = decode_action(stack, d, action)
    make_move(stack, d, frm, to, promo)


@njit(cache=True)
def chess_expand(rules: tuple, stack: np.ndarray, d: int, actions: np.ndarray) -> int:
    """The legal actions of row ``d``, sorted ascending, into ``actions``; 0 once the game is over.
    ``actions`` past the returned count are scratch (the sort's bitset)."""
    if draw_rule(rules, stack, d) != ONGOING:
        return 0
    k = generate(stack, d, actions)
    us = stack[d, W_TURN]
    for i in range(k):
        actions[i] = encode_move(actions[i], us)
    sort_actions(actions, k)
    return k


@njit(cache=True)
def chess_outcome(rules: tuple, stack: np.ndarray, d: int) -> float:
    """Return of the player who moved into the finished row ``d``: 1 for a mate, 0 for a draw."""
    if in_check(stack, d) and generate(stack, d, None) == 0:
        return 1.0
    return 0.0


@njit(cache=True)
def chess_player(rules: tuple, stack: np.ndarray, d: int) -> int:
    """Player to move in row ``d`` (0 White, 1 Black)."""
    return stack[d, W_TURN]


@njit(cache=True)
def chess_observe(rules: tuple, stack: np.ndarray, d: int, out: np.ndarray) -> None:
    """``ChessState.observation()`` of row ``d``, flattened, into ``out`` (float32 [119 * 64])."""
    write_observation(stack, d, rules.max_game_length, out)


@njit(cache=True)
def chess_rollout(rules: tuple, stack: np.ndarray, d: int, actions: np.ndarray,
                  rng: np.uint64) -> tuple[float, np.uint64]:
    """Uniformly random legal moves from the ongoing row ``d`` (rows below it are written) until the game
    ends under the full rules; (its result for the player to move at ``d``, generator state)."""
    start = stack[d, W_TURN]
    last = stack.shape[0] - 1
    c = d
    while True:
        k = generate(stack, c, actions)
        if k == 0:
            if not in_check(stack, c):
                return 0.0, rng
            return (-1.0 if stack[c, W_TURN] == start else 1.0), rng
        if c == last or draw_rule(rules, stack, c) != ONGOING:
            return 0.0, rng
        rng, i = splitmix_below(rng, k)
        code = actions[i]
        make_move(stack, c, code & MOVE_FROM_MASK, (code >> MOVE_TO_SHIFT) & MOVE_FROM_MASK, code >> MOVE_PROMO_SHIFT)
        c += 1


@njit(cache=True)
def chess_heuristic(rules: tuple, stack: np.ndarray, d: int, actions: np.ndarray, k: int, logits: np.ndarray,
                    hparams: np.ndarray) -> float:
    """``search.evaluators.MaterialEvaluator`` on the ongoing row ``d``: logits
    ``capture_bonus * is_capture + check_bonus * gives_check`` of ``actions[:k]`` into ``logits[:k]``
    (``hparams = [capture_bonus, check_bonus]``, missing ones 0); returns ``tanh(material difference / 10)`` for the mover."""
    capture_bonus = hparams[CAPTURE_BONUS] if hparams.shape[0] > CAPTURE_BONUS else 0.0
    check_bonus = hparams[CHECK_BONUS] if hparams.shape[0] > CHECK_BONUS else 0.0
    king, discoverers, pawn_checks, bishop_checks, rook_checks = check_info(stack, d)
    for i in range(k):
        frm, to, promo = decode_action(stack, d, actions[i])
        bonus = 0.0
        if capture_bonus != 0.0 and is_capture(stack, d, frm, to):
            bonus += capture_bonus
        if check_bonus != 0.0 and gives_check(stack, d, frm, to, promo, king, discoverers, pawn_checks,
                                              bishop_checks, rook_checks):
            bonus += check_bonus
        logits[i] = bonus
    return np.tanh(material_difference(stack, d) / MATERIAL_SCALE)
