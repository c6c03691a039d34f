"""Playing many independent two-player games in worker processes, each finished game handed back at once.

A :class:`GameTask` names one game completely (game, specs by seat, seeds, random opening plies), so any
process can play it. :func:`run_games` plays a list of tasks with ``workers`` processes
(``concurrent.futures.ProcessPoolExecutor`` with the ``forkserver`` start method where the platform has it,
else ``spawn``: torch and numba are not fork-safe) or in this process when ``workers == 1``, and calls
``sink(task, record)`` in this process as each game finishes, so the caller can write it to disk at once.

* Each process keeps the agents of the pairing it played last and reuses them (``reset()`` between
  games); a task of another pairing closes them and builds new ones. Submitting tasks pairing by pairing
  therefore builds each pairing's agents about once per process. The pool gets a few games per worker at a
  time, more as they finish.
* Worker processes run torch (if an agent imports it), OpenMP and numba with one thread each, so that
  ``workers`` processes use ``workers`` cores.
* A game that fails raises :class:`GameFailedError` naming the pairing, game and seed, after the games
  that finished meanwhile have been handed to ``sink``; a worker process that dies does the same.
* Ctrl-C (KeyboardInterrupt in this process) cancels the waiting games, terminates the workers (their
  games in progress are lost, finished ones were already handed over) and re-raises. Workers ignore
  SIGINT themselves so that a terminal's Ctrl-C reaches only this process.

Determinism: a game's chance events and opening depend only on its task's seed; agents are built with
the task's agent seeds. Agents whose moves depend only on the position (``mcts:eval=uniform``, networks
without noise) therefore give the same records whatever the number of workers; agents with their own
random stream (``random``, rollouts) give the same records for the same tasks with ``workers=1``.
"""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Generic, Protocol, Sequence, TypeVar, overload

import numpy as np
from tqdm import tqdm

from agents.core import Agent
from agents.arena.match import play_game
from agents.arena.openings import random_opening
from agents.arena.records import GameRecord
from agents.registry import make_agent
from games.interrupts import POLL_S, deferred_interrupt
from games.core import Game
from games.registry import make_game

log = logging.getLogger(__name__)


class GameFailedError(RuntimeError):
    """A game of a schedule could not be played (an agent failed, or a worker process died)."""


@dataclass(frozen=True)
class GameTask:
    """One game to play, fully determined by its fields."""

    game: str
    """Registry name of the game."""
    pairing: tuple[str, str]
    """The pairing's specs ``(a, b)``; agents are built and cached per pairing."""
    agent_seeds: tuple[int, int]
    """Seeds the agents of ``a`` and ``b`` are built with."""
    index: int
    """Index of the game within its pairing (even: ``a`` is player 0)."""
    seats: tuple[str, str]
    """Spec of each seat: ``seats[p]`` plays player ``p``."""
    seed: int
    """Seed of the game's chance events and of its random opening."""
    opening_plies: int = 0
    """Uniformly random plies played from the start before the agents take over."""

    @property
    def pairing_key(self) -> tuple[str, tuple[str, str], tuple[int, int]]:
        """``(game, pairing, agent_seeds)``: what its agents are built from (tasks with equal keys share
        them)."""
        return (self.game, self.pairing, self.agent_seeds)

    def describe(self) -> str:
        return f"{self.seats[0]} vs {self.seats[1]} (game {self.index} of {self.pairing[0]} vs " \
               f"{self.pairing[1]}, seed {self.seed})"


Sink = Callable[[GameTask, GameRecord], None]
"""Called in the calling process with each finished game."""


class Closeable(Protocol):
    """Something holding resources until ``close()``."""

    def close(self) -> None: ...


Built = TypeVar("Built", bound=Closeable)
"""What an :class:`AgentCache` builds per spec: an agent, or a match participant."""


class AgentCache(Generic[Built]):
    """The agents of the pairing a process played last, rebuilt when a task of another pairing comes.

    ``build(spec, game, seed)`` makes the agent of one spec (default :func:`~agents.registry.make_agent`).
    """

    @overload
    def __init__(self: AgentCache[Agent]) -> None: ...

    @overload
    def __init__(self, build: Callable[[str, Game, int], Built]) -> None: ...

    def __init__(self, build: Callable[[str, Game, int], Any] = make_agent) -> None:
        self.build = build
        self.key: tuple[object, ...] | None = None
        self.agents: dict[str, Built] = {}

    def agents_for(self, game: Game, task: GameTask) -> dict[str, Built]:
        """The agents of ``task``'s pairing by spec (one per spec; a mirror pairing gets one agent)."""
        if task.pairing_key != self.key:
            self.close()
            a, b = task.pairing
            self.agents[a] = self.build(a, game, task.agent_seeds[0])
            if b != a:
                self.agents[b] = self.build(b, game, task.agent_seeds[1])
            self.key = task.pairing_key
            _single_thread_torch()
        return self.agents

    def close(self) -> None:
        for agent in self.agents.values():
            try:
                agent.close()
            except Exception:  # noqa: BLE001 - closing must not hide the game's own error
                log.warning("closing an agent failed", exc_info=True)
        self.agents = {}
        self.key = None


def play_task(task: GameTask, cache: AgentCache[Agent]) -> GameRecord:
    """Play one task with the cache's agents; any failure becomes :class:`GameFailedError`."""
    try:
        game = make_game(task.game)
        agents = cache.agents_for(game, task)
        start = random_opening(game, None, task.opening_plies, np.random.default_rng(task.seed))
        return play_game(game, [agents[task.seats[0]], agents[task.seats[1]]], task.seed, start_state=start,
                         specs=task.seats)
    except KeyboardInterrupt:
        raise
    except Exception as err:  # noqa: BLE001 - re-raised with the game named
        cache.close()  # an agent in an unknown state (dead engine, ...) is not reused
        raise GameFailedError(f"{task.describe()} failed: {type(err).__name__}: {err}") from err


# ----- worker processes ------------------------------------------------------------------------------
_WORKER_CACHE: AgentCache[Agent] | None = None

ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
"""Environment of a worker process that computes on one thread (OpenMP, MKL, numba)."""


def _single_thread_torch() -> None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def _init_worker() -> None:
    """Worker start: one thread per library, no SIGINT, an agent cache closed when the worker exits."""
    global _WORKER_CACHE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(ONE_THREAD_ENV)
    _single_thread_torch()  # torch imported later reads OMP_NUM_THREADS; agents_for() checks again
    _WORKER_CACHE = AgentCache()
    multiprocessing.util.Finalize(None, _WORKER_CACHE.close, exitpriority=10)


def _worker_play(task: GameTask) -> GameRecord:
    if _WORKER_CACHE is None:
        raise RuntimeError("worker process not initialised")
    return play_task(task, _WORKER_CACHE)


def _start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


# ----- running ---------------------------------------------------------------------------------------------
BACKENDS = ("ray", "processes")
"""Where games run with more than one worker: Ray actors (local Ray by default, a cluster under ``ray job
submit`` or with ``RAY_ADDRESS``; each actor plays many games at once, :mod:`benchmarks.ray_games`) or
local worker processes playing one game each."""


def add_backend_flags(parser: Any) -> None:
    """``--backend`` and ``--slots`` of every command that plays games with workers."""
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="where games run with several workers: ray (actors on a local Ray, or the cluster "
                             "under ray job submit; default) or processes (local process pool)")
    parser.add_argument("--slots", type=int, default=16,
                        help="ray backend: games each worker plays at once, one network call for all (default 16)")


def run_games(tasks: Sequence[GameTask], sink: Sink, *, workers: int = 2, progress: bool = True,
              description: str = "games", backend: str | None = None, slots: int = 16) -> None:
    """Play every task, calling ``sink(task, record)`` here as each game finishes (see module docstring).

    ``workers == 1`` plays in this process, one game at a time; else ``backend`` says where (``ray``:
    ``workers`` actors with ``slots`` games each in flight; ``processes``: a process pool; None: the
    ``GAMESEARCH_GAMES_BACKEND`` environment variable, default ``ray``).

    Raises:
        GameFailedError: a game failed or a worker died (finished games were handed to ``sink`` first).
        KeyboardInterrupt: Ctrl-C (finished games were handed to ``sink`` first).
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1; got {workers}")
    backend = backend or os.environ.get("GAMESEARCH_GAMES_BACKEND", "ray")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend '{backend}' (known: {', '.join(BACKENDS)})")
    if not tasks:
        return
    if workers > 1 and backend == "ray":
        from benchmarks.ray_games import run_games_ray

        run_games_ray(tasks, sink, workers=workers, slots=slots, progress=progress, description=description)
        return
    bar = tqdm(total=len(tasks), desc=description, unit="game", file=sys.stderr, disable=not progress,
               dynamic_ncols=True)

    def finished(task: GameTask, record: GameRecord) -> None:
        sink(task, record)
        bar.update(1)

    try:
        if workers == 1 or len(tasks) == 1:
            _run_here(tasks, finished)
        else:
            _run_pool(tasks, finished, min(workers, len(tasks)))
    finally:
        bar.close()


def _run_here(tasks: Sequence[GameTask], sink: Sink) -> None:
    cache = AgentCache()
    try:
        for task in tasks:
            sink(task, play_task(task, cache))
    finally:
        cache.close()


IN_FLIGHT_PER_WORKER = 2
"""Games submitted to the pool per worker at a time (more are submitted as these finish)."""


def _run_pool(tasks: Sequence[GameTask], sink: Sink, workers: int) -> None:
    context = multiprocessing.get_context(_start_method())
    if context.get_start_method() == "forkserver":  # workers fork from a server that imported us once
        context.set_forkserver_preload([__name__])
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker)
    waiting = deque(tasks)  # submitted in order, a few per worker at a time
    futures: dict[Future[GameRecord], GameTask] = {}  # submitted and not yet handed over

    def top_up() -> None:
        while waiting and len(futures) < IN_FLIGHT_PER_WORKER * workers:
            task = waiting.popleft()
            futures[executor.submit(_worker_play, task)] = task

    def hand_over_finished() -> None:
        for future in [f for f in futures if f.done() and not f.cancelled() and f.exception() is None]:
            sink(futures.pop(future), future.result())

    try:
        with deferred_interrupt() as interrupted:
            top_up()
            while futures:
                done, _ = wait(list(futures), timeout=POLL_S, return_when=FIRST_COMPLETED)
                if interrupted():
                    raise KeyboardInterrupt
                hand_over_finished()
                failed = [f for f in done if f.exception() is not None]
                if failed:
                    first = failed[0]
                    executor.shutdown(wait=True, cancel_futures=True)  # games in progress finish
                    hand_over_finished()
                    error = first.exception()
                    if isinstance(error, BrokenProcessPool):
                        raise GameFailedError(f"a worker process died while playing {futures[first].describe()} "
                                              f"({error})") from error
                    assert error is not None
                    raise error
                top_up()
    except KeyboardInterrupt:
        _terminate(executor)
        hand_over_finished()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Cancel waiting games and stop the worker processes now (Python 3.11 has no public call for it)."""
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
