"""Tournament games on Ray: worker actors each play many games at once, on one machine or a cluster.

:func:`run_games_ray` plays :class:`~benchmarks.game_runner.GameTask` s with ``workers`` actors. The
tasks are cut into chunks of up to ``slots`` games of one pairing; an actor plays a chunk's games
concurrently (:mod:`agents.arena.concurrent`: one search, one network call per step for all games an
agent is to move in) and returns their records; the driver hands every record to ``sink`` (and so to
``games.jsonl``) itself, once.

* Local by default: ``ray.init()`` without an address starts a Ray of its own on this machine (in its
  own temp dir, dashboard off) unless ``RAY_ADDRESS`` is set or the command runs under ``ray job
  submit``, where it joins the cluster; actors are spread over the nodes.
* A worker that dies (node lost, process killed) costs the games of its chunk in flight, never a
  record: the chunk goes back to the queue and a new actor replaces the dead one. No game is written
  twice: chunks partition the tasks, a chunk's records arrive together, and a chunk goes back to the
  queue only when none of its records arrived.
* The records equal those of one-by-one play (every agent's randomness comes from the game's seed),
  whatever the number of workers and slots, apart from wall-clock seconds.

``GamePlayer`` is the plain class the actor wraps (tests use it without Ray).
"""
from __future__ import annotations

import logging
import os
import sys
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from tqdm import tqdm

from agents.arena.concurrent import GameJob, Participant, play_concurrent
from agents.arena.openings import random_opening
from agents.arena.records import GameRecord
from agents.registry import make_agents
from benchmarks.game_runner import ONE_THREAD_ENV, AgentCache, GameFailedError, GameTask, Sink
from games.core import Game
from games.registry import make_game

log = logging.getLogger(__name__)

DEFAULT_SLOTS = 16
"""Games an actor plays at once (one network call serves them all)."""
MAX_ACTOR_RESTARTS = 8
"""Dead actors replaced before the run gives up."""


@dataclass(frozen=True)
class ChunkResult:
    """What an actor sends back for a chunk."""

    records: tuple[GameRecord, ...]
    """The chunk's records, in task order."""
    node: str
    """Ray node id (or host name without Ray) where they were played."""


class GamePlayer:
    """Plays chunks of one pairing's tasks concurrently, keeping the last pairing's agents."""

    def __init__(self, slots: int = DEFAULT_SLOTS) -> None:
        if slots < 1:
            raise ValueError(f"slots must be >= 1; got {slots}")
        self.slots = slots
        self._cache = AgentCache(self._participant)

    def _participant(self, spec: str, game: Game, seed: int) -> Participant:
        return Participant(make_agents(spec, game, seed=seed, slots=self.slots), spec)

    def play(self, tasks: Sequence[GameTask], node: str = "") -> ChunkResult:
        """Play ``tasks`` (one pairing, at most ``slots``) at once; their records in task order."""
        if not tasks:
            return ChunkResult((), node)
        first = tasks[0]
        if any(t.pairing_key != first.pairing_key for t in tasks):
            raise ValueError("a chunk holds the tasks of one pairing")
        try:
            game = make_game(first.game)
            a, b = first.pairing
            by_spec = self._cache.agents_for(game, first)
            participants = [by_spec[a], by_spec[b]]
            jobs = [GameJob(index=i, seed=t.seed, seats=(0, 1) if t.seats[0] == a else (1, 0),
                            start=random_opening(game, None, t.opening_plies, np.random.default_rng(t.seed)))
                    for i, t in enumerate(tasks)]
            records = list(play_concurrent(game, participants, jobs))
        except Exception as err:  # noqa: BLE001 - re-raised with the games named
            self.close()
            raise GameFailedError(f"{first.describe()} and {len(tasks) - 1} more failed: "
                                  f"{type(err).__name__}: {err}") from err
        return ChunkResult(tuple(records), node or os.uname().nodename)

    def close(self) -> None:
        self._cache.close()


def chunks(tasks: Sequence[GameTask], slots: int) -> list[list[GameTask]]:
    """Consecutive tasks of one pairing, at most ``slots`` per chunk (order kept)."""
    out: list[list[GameTask]] = []
    for task in tasks:
        last = out[-1] if out else None
        if last and len(last) < slots and last[0].pairing_key == task.pairing_key:
            last.append(task)
        else:
            out.append([task])
    return out


def ensure_ray() -> Any:
    """``ray`` initialised: the cluster to join (``RAY_ADDRESS``, ``ray job submit``, a ``ray start``
    cluster here), else a local Ray of our own that does not outlive this process
    (:func:`selfplay.local_ray.init_ray`)."""
    from selfplay.local_ray import init_ray

    return init_ray(logging_level=logging.WARNING)


ACTOR_ENV = {"env_vars": dict(ONE_THREAD_ENV)}
"""Each game actor computes on one thread (one CPU each)."""


def _actor_class(ray: Any) -> Any:
    class GameWorker(GamePlayer):
        """Ray actor around :class:`GamePlayer` (one CPU)."""

        def play_chunk(self, tasks: Sequence[GameTask]) -> ChunkResult:
            return self.play(tasks, node=ray.get_runtime_context().get_node_id())

        def pid(self) -> int:
            return os.getpid()

    return ray.remote(num_cpus=1)(GameWorker)


def run_games_ray(tasks: Sequence[GameTask], sink: Sink, *, workers: int = 2, slots: int = DEFAULT_SLOTS,
                  progress: bool = True, description: str = "games",
                  on_actors: Any = None) -> Counter[str]:
    """Play every task on Ray actors, calling ``sink(task, record)`` here once per task.

    Args:
        tasks: the games; chunks of one pairing go to one actor at a time.
        sink: called in this process with each finished game (write it to disk there).
        workers: actors (one CPU each), spread over the cluster's nodes.
        slots: games an actor plays at once.
        progress: show a progress bar.
        on_actors: called once with the list of actor handles (tests kill one to check recovery).

    Returns:
        Games played per Ray node id.

    Raises:
        GameFailedError: a game failed (records finished before were handed to ``sink``), or actors kept
            dying.
    """
    if workers < 1 or slots < 1:
        raise ValueError(f"workers and slots must be >= 1; got {workers} and {slots}")
    per_node: Counter[str] = Counter()
    if not tasks:
        return per_node
    ray = ensure_ray()
    from ray.exceptions import RayActorError, RayTaskError

    worker_cls = _actor_class(ray)
    queue: deque[list[GameTask]] = deque(chunks(tasks, slots))
    def new_actor() -> Any:
        return worker_cls.options(scheduling_strategy="SPREAD", runtime_env=ACTOR_ENV).remote(slots)

    actors = [new_actor() for _ in range(min(workers, len(queue)))]
    if on_actors is not None:
        on_actors(actors)
    running: dict[Any, tuple[Any, list[GameTask]]] = {}
    restarts = 0
    bar = tqdm(total=len(tasks), desc=description, unit="game", file=sys.stderr, disable=not progress,
               dynamic_ncols=True)

    def submit(actor: Any) -> None:
        if queue:
            chunk = queue.popleft()
            running[actor.play_chunk.remote(chunk)] = (actor, chunk)

    try:
        for actor in actors:
            submit(actor)
        while running:
            done, _ = ray.wait(list(running), num_returns=1)
            ref = done[0]
            actor, chunk = running.pop(ref)
            try:
                result: ChunkResult = ray.get(ref)
            except RayTaskError as err:
                cause = err.as_instanceof_cause()
                raise (cause if isinstance(cause, GameFailedError) else GameFailedError(str(err))) from None
            except RayActorError:
                restarts += 1
                if restarts > MAX_ACTOR_RESTARTS:
                    raise GameFailedError(f"{restarts} game workers died; giving up") from None
                log.warning("a game worker died; its %d games go back to the queue", len(chunk))
                queue.appendleft(chunk)
                actor = new_actor()
                actors.append(actor)
                submit(actor)
                continue
            for task, record in zip(chunk, result.records):
                sink(task, record)
                per_node[result.node] += 1
                bar.update(1)
            submit(actor)
    finally:
        bar.close()
        for actor in actors:
            try:
                ray.kill(actor)
            except Exception:  # noqa: BLE001 - already dead
                pass
    return per_node
