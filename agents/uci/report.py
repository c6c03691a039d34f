"""The ``info`` lines: the value -> centipawn and win/draw/loss mappings and the line formats.

Value -> centipawns. The search's values are expected scores in [-1, 1] for the side to move. The
shipped networks were trained on ``tanh(cp / 400)`` of Stockfish's evaluation (``selfplay.distill``)
and the material evaluator values ``tanh(pawns / 10)`` (:data:`search.evaluators.MATERIAL_SCALE`), so
the engine reports the inverse of the evaluator's own curve::

    cp = S * atanh(q),  S = 400 with a network, S = 1000 with the material evaluator

(q = 0.5 is +220 cp with a network; |q| is clipped at 1 - 1e-6, i.e. at most about 2,900 cp with a
network). A move the solver proved is reported as ``score mate N`` instead: N moves (not plies) along the
shortest proven mate, negative when the side to move is mated.

Win/draw/loss (``UCI_ShowWDL``): the networks predict no draw rate, so it is modelled from q as
``W = (1 + q)^2 / 4``, ``L = (1 - q)^2 / 4``, ``D = (1 - q^2) / 2`` (per mille, W - L = q; a balanced
position is 250/500/250); proven results are 1000/0/0, 0/1000/0 (a proven draw) or 0/0/1000.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import chess

from agents.uci.lines import Line
from games.chess.actions import action_to_move
from search.evaluators import MATERIAL_SCALE

NETWORK_CP_SCALE = 400.0
"""Centipawns per unit of atanh(value) with a network (the distillation label is tanh(cp / 400))."""
MATERIAL_CP_SCALE = 100.0 * MATERIAL_SCALE
"""Centipawns per unit of atanh(value) with the material evaluator (tanh(pawns / 10))."""
_Q_LIMIT = 1.0 - 1e-6


def centipawns(q: float, scale: float) -> int:
    """``scale * atanh(q)`` rounded, for a value q in [-1, 1] (module docstring)."""
    q = min(max(q, -_Q_LIMIT), _Q_LIMIT)
    return int(round(scale * math.atanh(q)))


def wdl(q: float, proven: bool = False) -> tuple[int, int, int]:
    """Win/draw/loss per mille for the side to move (module docstring)."""
    if proven:
        return (1000, 0, 0) if q >= 1.0 else (0, 0, 1000) if q <= -1.0 else (0, 1000, 0)
    q = min(max(q, -1.0), 1.0)
    win, loss = round(250 * (1 + q) ** 2), round(250 * (1 - q) ** 2)
    return win, 1000 - win - loss, loss


@dataclass(frozen=True)
class SearchStats:
    """Figures of the search so far (this ``go`` only)."""

    nodes: int
    """Simulations run since ``go``."""
    seconds: float
    """Seconds since ``go`` was received."""
    depth: float
    """Mean depth of the tree's nodes."""
    seldepth: int
    """Deepest node."""
    hashfull: int
    """Tree nodes in use, per mille of the Hash limit."""


def uci_moves(board: chess.Board, actions: Sequence[int]) -> list[str]:
    """The moves of ``actions`` played from ``board`` (not changed), in UCI notation."""
    board = board.copy(stack=False)
    out = []
    for action in actions:
        move = action_to_move(board, action)
        if not board.is_legal(move):
            break
        out.append(move.uci())
        board.push(move)
    return out


def score_text(line: Line, cp_scale: float, show_wdl: bool) -> str:
    """``score cp X`` or ``score mate N``, with `` wdl W D L`` when asked."""
    score = f"score mate {line.mate}" if line.mate is not None else f"score cp {centipawns(line.q, cp_scale)}"
    if show_wdl:
        score += " wdl {} {} {}".format(*wdl(line.q, line.proven))
    return score


def info_lines(lines: Sequence[Line], stats: SearchStats, board: chess.Board, cp_scale: float,
               show_wdl: bool) -> list[str]:
    """One ``info`` line per root line (``multipv 1`` = the move the engine plays)."""
    millis = max(int(stats.seconds * 1000), 0)
    nps = int(stats.nodes / stats.seconds) if stats.seconds > 0 else 0
    depth = max(1, int(round(stats.depth)))
    out = []
    for k, line in enumerate(lines, 1):
        pv = " ".join(uci_moves(board, line.pv))
        out.append(f"info depth {depth} seldepth {max(stats.seldepth, depth)} multipv {k} "
                   f"{score_text(line, cp_scale, show_wdl)} nodes {stats.nodes} nps {nps} "
                   f"hashfull {stats.hashfull} time {millis} pv {pv}")
    return out


def move_stats(lines: Sequence[Line], board: chess.Board, cp_scale: float) -> list[str]:
    """``VerboseMoveStats``: one ``info string`` per root move: visits, share, prior, Q, centipawns."""
    total = sum(line.visits for line in lines) or 1
    out = []
    for line in lines:
        move = uci_moves(board, line.pv[:1])
        mate = f" mate {line.mate}" if line.mate is not None else ""
        out.append(f"info string {move[0] if move else line.action} N: {line.visits} "
                   f"({100 * line.visits / total:.2f}%) P: {100 * line.prior:.2f}% Q: {line.q:+.5f} "
                   f"cp: {centipawns(line.q, cp_scale)}{mate}")
    return out
