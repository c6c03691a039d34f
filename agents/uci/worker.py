"""The search thread: one ``go`` at a time, beside the command loop, in short slices.

A search is a sequence of :meth:`search.mcts.BatchedMCTS.search` calls on the same root (the tree grows
from slice to slice), each at most :data:`SLICE_SECONDS` long. Between slices the thread checks the
deadline, the node budget, ``stop`` and ``ponderhit``, and writes an ``info`` line every
:data:`INFO_INTERVAL` seconds. ``stop`` (from the command thread) sets an event and the searcher's
stop flag, which the compiled loops read every simulation; the running slice ends within one simulation
(or one network call) and ``bestmove`` follows. The flag stays set until the next ``go`` clears it, so a
slice that starts after ``stop`` ends at once too. ``go infinite`` and ``go ponder`` never answer before
``stop`` (or ``ponderhit``), even when the tree is full or the root is proven, as UCI requires.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from agents.uci.lines import Line, root_lines, tree_depth
from agents.uci.report import SearchStats, info_lines, move_stats
from agents.uci.timeman import GoLimits, move_seconds, node_budget
from games.chess.state import ChessState
from search.mcts import BatchedMCTS, MCTSConfig, SearchSummary
from search.mcts.tree import TreeArrays

SLICE_SECONDS = 0.05
"""Longest search call between two looks at the clock, ``stop`` and ``ponderhit``."""
INFO_INTERVAL = 0.2
"""Seconds between streamed ``info`` lines."""
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchSettings:
    """What one search takes from the engine's options (a snapshot made at ``go``)."""

    config: MCTSConfig
    """Search settings (c_puct, batch, tree size, temperature); budgets are set per slice."""
    multipv: int
    """Lines reported."""
    show_wdl: bool
    """Add ``wdl`` to the info lines."""
    verbose: bool
    """One ``info string`` per root move at the end."""
    overhead: float
    """Move Overhead in seconds."""
    slowmover: float
    """Scale of the planned time."""
    nodes_per_move: int
    """Cap of simulations per search (0 = none)."""
    cp_scale: float
    """Centipawns per unit of atanh(value) (:mod:`agents.uci.report`)."""


@dataclass(frozen=True)
class SearchJob:
    """One ``go``."""

    state: ChessState
    """Position to search (not terminal is not required: a terminal root answers ``bestmove 0000``)."""
    limits: GoLimits
    settings: SearchSettings
    received: float
    """``time.perf_counter()`` when ``go`` was read: the clock of this move starts there."""
    allowed: tuple[int, ...] = ()
    """``searchmoves`` as actions (empty = every legal move)."""


def restrict_root(t: TreeArrays, allowed: set[int]) -> None:
    """Keep only the ``allowed`` root moves of tree 0 (``go searchmoves``): their edges move to the front of
    the root's edge slice, the root's edge count shrinks to them, their priors are renormalised and the
    statistics of dropped subtrees leave the root's. The tree must be reset after such a search
    (:meth:`SearchWorker._search` does)."""
    first, k = int(t.first_edge[0, 0]), int(t.num_edges[0, 0])
    span = slice(first, first + k)
    actions, priors, children = t.edge_action[0, span].copy(), t.edge_prior[0, span].copy(), t.edge_child[0, span].copy()
    keep = np.isin(actions, np.fromiter(allowed, np.int64))
    if not keep.any():
        return
    order = np.concatenate([np.nonzero(keep)[0], np.nonzero(~keep)[0]])
    t.edge_action[0, span], t.edge_prior[0, span], t.edge_child[0, span] = actions[order], priors[order], children[order]
    kept = int(keep.sum())
    t.num_edges[0, 0] = kept
    total = float(priors[keep].sum())
    if total > 0:
        t.edge_prior[0, first:first + kept] /= total
    for child in children[~keep]:
        if child >= 0:
            sign = 1.0 if t.player[0, child] == t.player[0, 0] else -1.0
            t.visits[0, 0] -= t.visits[0, child]
            t.value_sum[0, 0] -= sign * t.value_sum[0, child]
    t.terminal_value[0, 0] = np.nan


class SearchWorker:
    """Runs :class:`SearchJob` s on a thread and writes their ``info`` and ``bestmove`` lines."""

    def __init__(self, mcts: BatchedMCTS, out: Callable[[str], None]) -> None:
        self.mcts, self.out = mcts, out
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._ponderhit = threading.Event()
        self._wake = threading.Event()

    @property
    def busy(self) -> bool:
        """A search is running (its ``bestmove`` not sent yet)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, job: SearchJob) -> None:
        """Start searching ``job`` (the previous search must be over)."""
        self.wait()
        self.mcts.stop_flag[0] = 0  # the stop of the previous search
        self._stop.clear()
        self._ponderhit.clear()
        self._wake.clear()
        self._thread = threading.Thread(target=self._run, args=(job,), name="uci-search", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the running search now; returns once its ``bestmove`` is written."""
        self._stop.set()
        self._wake.set()
        self.mcts.request_stop()  # stays set: a slice starting after this ends at once too
        self.wait()

    def ponderhit(self) -> None:
        """The opponent played the expected move: the ponder search goes on as a normal, timed one."""
        self._ponderhit.set()
        self._wake.set()

    def wait(self) -> None:
        """Wait for the running search to answer on its own."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # ----- the thread ------------------------------------------------------------------------------
    def _run(self, job: SearchJob) -> None:
        try:
            best, ponder = self._search(job)
        except Exception as err:  # noqa: BLE001 - the GUI must still get a bestmove
            _log.exception("search failed")
            self.out(f"info string error: search failed: {err}")
            legal = job.state.legal_actions()
            best, ponder = (job.state.action_to_move(int(legal[0])).uci() if len(legal) else "0000"), None
        if job.limits.infinite or (job.limits.ponder and not self._ponderhit.is_set()):
            self._stop.wait()  # UCI: no bestmove before stop (or ponderhit)
        self.out(f"bestmove {best}" + (f" ponder {ponder}" if ponder else ""))

    def _search(self, job: SearchJob) -> tuple[str, str | None]:
        """(bestmove, ponder move) of ``job``. With ``searchmoves`` the root is cut to them
        (:func:`restrict_root`) and the tree is reset afterwards, also when the search fails."""
        state = job.state
        if state.is_terminal():  # mated or stalemated: no move; drawn by material: any move, nothing to search
            board = state.board
            self.out(f"info depth 0 score {'mate 0' if board.is_checkmate() else 'cp 0'}")
            move = next(iter(board.legal_moves), None)
            return (move.uci() if move else "0000"), None
        if not job.allowed:
            return self._grow(job)
        self.mcts.reset()
        try:
            self._slice(state, job.settings.config, 1, 10.0)
            restrict_root(self.mcts.tree, set(job.allowed))
            return self._grow(job)
        finally:
            self.mcts.reset()  # a tree cut to searchmoves is neither searched again nor reused

    def _grow(self, job: SearchJob) -> tuple[str, str | None]:
        """Search the (not terminal) root of ``job`` in slices until its limits or ``stop``; writes the
        final ``info`` lines and returns (bestmove, ponder move)."""
        state, limits, settings = job.state, job.limits, job.settings
        white = state.current_player == 0
        budget = node_budget(limits, settings.nodes_per_move)
        seconds = move_seconds(limits, white, settings.overhead, settings.slowmover)
        endless = limits.infinite or (limits.unbounded and budget is None)
        if seconds is not None and limits.movetime is None and len(state.legal_actions()) == 1:
            seconds = 0.0  # a forced move on the clock: answer at once
        if limits.infinite:  # until stop, whatever else the go says
            budget = seconds = None
        pondering = limits.ponder  # the clock starts at ponderhit
        deadline = None if seconds is None or pondering else job.received + seconds
        done, idle, last_info = 0, 0, job.received
        summary: SearchSummary | None = None
        while not self._stop.is_set():
            now = time.perf_counter()
            if pondering and self._ponderhit.is_set():
                pondering = False
                deadline = None if seconds is None else now + seconds
            waiting = pondering or endless
            over = ((deadline is not None and now >= deadline) or (budget is not None and done >= budget)
                    or idle >= 2 or not np.isnan(self.mcts.tree.terminal_value[0, 0]))
            if over and summary is not None:
                if not waiting:
                    break
                self._wake.wait(INFO_INTERVAL)  # nothing left to search: wait for stop / ponderhit
                self._wake.clear()
                if not self._stop.is_set() and time.perf_counter() - last_info >= INFO_INTERVAL:
                    last_info = time.perf_counter()
                    self._info(job, done, None)
                continue
            cap = max(budget - done, 1) if budget is not None else 0
            span = SLICE_SECONDS if deadline is None or waiting else min(SLICE_SECONDS, max(deadline - now, 1e-3))
            summary = self._slice(state, settings.config, cap, span)
            done += summary.simulations
            idle = idle + 1 if summary.simulations == 0 else 0
            if time.perf_counter() - last_info >= INFO_INTERVAL:
                last_info = time.perf_counter()
                self._info(job, done, None)
        if summary is None or self.mcts.root_visits(0) == 0:  # stopped before anything was searched:
            self.mcts.stop_flag[0] = 0  # one simulation for a move (it ends after that one anyway)
            summary = self._slice(state, settings.config, 1, 1.0)
            done += summary.simulations
        lines = self._info(job, done, summary.action if summary.action >= 0 else None)
        if settings.verbose:
            for text in move_stats(root_lines(self.mcts.tree, 256), state.board, settings.cp_scale):
                self.out(text)
        return self._answer(state, lines)

    def _slice(self, state: ChessState, config: MCTSConfig, simulations: int, seconds: float) -> SearchSummary:
        """One search call on ``state`` of at most ``simulations`` (0 = no cap) and ``seconds``."""
        self.mcts.config = dataclasses.replace(config, num_simulations=simulations, max_seconds=seconds)
        return self.mcts.search([state])[0]

    def _info(self, job: SearchJob, done: int, first: int | None) -> list[Line]:
        """Write the ``info`` lines of the tree now (``first``: the move to be played, as line 1)."""
        t = self.mcts.tree
        mean, deepest = tree_depth(t)
        hashfull = min(1000, int(t.node_count[0]) * 1000 // job.settings.config.max_nodes)
        stats = SearchStats(nodes=done, seconds=time.perf_counter() - job.received, depth=mean, seldepth=deepest,
                            hashfull=hashfull)
        lines = root_lines(t, job.settings.multipv, first)
        for text in info_lines(lines, stats, job.state.board, job.settings.cp_scale, job.settings.show_wdl):
            self.out(text)
        return lines

    @staticmethod
    def _answer(state: ChessState, lines: list[Line]) -> tuple[str, str | None]:
        """(bestmove, ponder move) from the first line; a legal move even from an empty tree."""
        legal = state.legal_actions()
        action = lines[0].action if lines else int(legal[0])
        if not state.is_legal(action):
            action = int(legal[0])
        best = state.action_to_move(action).uci()
        ponder = None
        if lines and len(lines[0].pv) > 1 and lines[0].action == action:
            after = state.copy()
            after.apply(action)
            if not after.is_terminal() and after.is_legal(lines[0].pv[1]):
                ponder = after.action_to_move(lines[0].pv[1]).uci()
        return best, ponder
