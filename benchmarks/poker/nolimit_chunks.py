"""Resumable no-limit measurements: LBR hands and duplicate pairs played in chunks that survive a stop.

A :class:`Measure` is one LBR run against an agent or one duplicate head-to-head. Its hands (LBR) or pairs
(head to head) are cut into chunks of fixed size (:data:`LBR_CHUNK` hands, :data:`PAIRS_CHUNK` pairs) that
are deterministic on their own: hand ``i`` always gets deck ``deal_order(seed, i // 2)`` and agent seed
``seed + i`` (:mod:`agents.arena.lbr`, :mod:`benchmarks.poker.nolimit_match`), so the chunks of one measure
can be played in any order, by any process, in any session.

Each chunk is appended to ``chunks.jsonl`` as it finishes (one line, flushed and synced: a crash loses at
most the chunks in flight). A re-run plays only the chunks missing from the log, chunk by chunk round-robin
over the measures, so every row's interval narrows together and a stop at any point (``--max-minutes``,
Ctrl-C, a killed session) leaves a usable partial report. A chunk is keyed by everything that decides its
outcome (game, specs, seed, value function, LBR settings) and by its hand range; a change of any of those
simply plays new chunks.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm

from agents.arena.lbr import LBRConfig, play_hands
from games.interrupts import POLL_S, deferred_interrupt
from benchmarks.poker.nolimit_match import PairScores, play_pairs

LBR_CHUNK = 20
"""Hands per LBR chunk (ten duplicate pairs of seats)."""
PAIRS_CHUNK = 10
"""Duplicate pairs per head-to-head chunk."""
RECORD_FORMAT = 2
"""Version of a chunk's record (2: LBR chunks hold ``allin_ev``); part of every key."""
RECORD_LISTS = {"lbr": (("chips", 1), ("allin_ev", 1)), "headsup": (("plain", 1), ("aivat", 1))}
"""The lists a finished chunk holds, with their entries per hand (LBR) or pair (head to head)."""


def file_digest(path: str | Path) -> str:
    """The first 16 hex digits of the file's SHA-256."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Measure:
    """One LBR run (``kind="lbr"``: LBR against ``spec``) or head-to-head (``kind="headsup"``: ``spec`` as A
    against ``opponent``, scored by AIVAT with ``value_checkpoint``)."""

    kind: str
    game: str
    spec: str
    units: int
    """Hands (LBR) or duplicate pairs (head to head)."""
    seed: int
    opponent: str = ""
    value_checkpoint: str = ""
    lbr_actions: tuple[str, ...] = ()
    lbr_runouts: int = 0
    files: tuple[str, ...] = ()
    """Content digests of the checkpoints the specs name (:func:`file_digest`): a file replaced under the
    same path (a blueprint shipped again) starts new chunks instead of mixing with the old."""

    def key(self) -> str:
        """Everything that decides a chunk's outcome, as one string (with the record format)."""
        identity = {k: v for k, v in asdict(self).items() if k != "units"}
        return json.dumps({**identity, "format": RECORD_FORMAT}, sort_keys=True)

    def chunks(self) -> list[tuple[int, int]]:
        """``(first, count)`` of every chunk, in order."""
        size = LBR_CHUNK if self.kind == "lbr" else PAIRS_CHUNK
        return [(first, min(size, self.units - first)) for first in range(0, self.units, size)]

    def lbr_config(self) -> LBRConfig:
        return LBRConfig(actions=self.lbr_actions, runouts=self.lbr_runouts)


def lbr_measure(game: str, spec: str, hands: int, seed: int, config: LBRConfig,
                files: tuple[str, ...] = ()) -> Measure:
    return Measure("lbr", game, spec, hands, seed, lbr_actions=tuple(config.actions), lbr_runouts=config.runouts,
                   files=files)


def headsup_measure(game: str, spec_a: str, spec_b: str, pairs: int, seed: int, value_checkpoint: str,
                    files: tuple[str, ...] = ()) -> Measure:
    return Measure("headsup", game, spec_a, pairs, seed, opponent=spec_b, value_checkpoint=value_checkpoint,
                   files=files)


def play_chunk(measure: Measure, first: int, count: int, threads: int = 0) -> dict[str, Any]:
    """The raw outcome of one chunk: LBR's chips and all-in expected values per hand, or A's per-pair scores
    and decision seconds."""
    start = time.perf_counter()
    if measure.kind == "lbr":
        chips, allin_ev = play_hands(measure.game, measure.spec, first, count, measure.seed, measure.lbr_config(),
                                     threads)
        values: dict[str, Any] = {"chips": chips, "allin_ev": allin_ev}
    else:
        scores = play_pairs(measure.game, measure.spec, measure.opponent, first, count, measure.seed,
                            measure.value_checkpoint, threads)
        values = {"plain": scores.plain, "aivat": scores.aivat, "decision_seconds": scores.decision_seconds}
    return {**values, "seconds": time.perf_counter() - start}


class ChunkLog:
    """``chunks.jsonl``: every finished chunk, keyed by (measure key, first, count)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[tuple[str, int, int], dict[str, Any]] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    record = json.loads(line)
                    key = (record["key"], record["first"], record["count"])
                except (json.JSONDecodeError, KeyError, TypeError):  # a line cut by a crash: played again
                    continue
                self.records[key] = record

    def get(self, measure: Measure, first: int, count: int) -> dict[str, Any] | None:
        """The chunk's record, or None if it is missing or incomplete (then it is played again)."""
        record = self.records.get((measure.key(), first, count))
        if record is None or not isinstance(record.get("seconds"), (int, float)):
            return None
        for name, per_unit in RECORD_LISTS[measure.kind]:
            if not isinstance(record.get(name), list) or len(record[name]) != per_unit * count:
                return None
        return record

    def append(self, measure: Measure, first: int, count: int, values: dict[str, Any]) -> None:
        record = {"key": measure.key(), "first": first, "count": count, **values}
        self.records[(record["key"], first, count)] = record
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as fh:
            if fh.tell() and _last_byte(self.path) != b"\n":
                fh.write(b"\n")  # end a line cut by a crash, or this record would be lost with it
            fh.write((json.dumps(record, default=float) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())

    def missing(self, measures: list[Measure]) -> list[tuple[Measure, int, int]]:
        """The chunks still to play, round-robin over the measures (chunk 0 of each, then chunk 1, ...)."""
        measures = list({m.key(): m for m in measures}.values())  # one measure asked twice is played once
        plans = [m.chunks() for m in measures]
        order: list[tuple[Measure, int, int]] = []
        for round_ in range(max((len(p) for p in plans), default=0)):
            for measure, plan in zip(measures, plans):
                if round_ < len(plan) and self.get(measure, *plan[round_]) is None:
                    order.append((measure, *plan[round_]))
        return order

    def collected(self, measure: Measure) -> tuple[dict[str, list[float]], int, float]:
        """(the values of the finished chunks concatenated in hand order, units done, seconds spent)."""
        values: dict[str, list[float]] = {}
        done, seconds = 0, 0.0
        for first, count in measure.chunks():
            record = self.get(measure, first, count)
            if record is None:
                continue
            done += count
            seconds += float(record["seconds"])
            for name, got in record.items():
                if isinstance(got, list):
                    values.setdefault(name, []).extend(got)
        return values, done, seconds


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1)


def pair_scores(values: dict[str, list[float]]) -> PairScores:
    return PairScores(values.get("plain", []), values.get("aivat", []), values.get("decision_seconds", []))


def run_chunks(measures: list[Measure], log: ChunkLog, workers: int = 1, deadline: float | None = None,
               progress: bool = True) -> int:
    """Play the missing chunks of ``measures`` (in ``workers`` processes, numba one thread each when more
    than one), appending each to ``log``; no chunk starts after ``deadline`` (``time.time()``), chunks
    in flight finish. Returns the number of chunks still missing."""
    todo = log.missing(measures)
    bar = tqdm(total=len(todo), desc="chunks", unit="chunk", file=sys.stderr, disable=None if progress else True)
    try:
        if workers == 1:
            for measure, first, count in todo:
                if deadline is not None and time.time() >= deadline:
                    break
                log.append(measure, first, count, play_chunk(measure, first, count))
                bar.update()
        else:
            _run_pool(todo, log, workers, deadline, bar)
    finally:
        bar.close()
    return len(log.missing(measures))


def _run_pool(todo: list[tuple[Measure, int, int]], log: ChunkLog, workers: int, deadline: float | None,
              bar: tqdm) -> None:
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                          else "spawn")
    queue: Iterator[tuple[Measure, int, int]] = iter(todo)
    executor = ProcessPoolExecutor(workers, mp_context=context)
    in_flight: dict[Future[dict[str, Any]], tuple[Measure, int, int]] = {}

    def submit() -> None:
        while len(in_flight) < workers and (deadline is None or time.time() < deadline):
            chunk = next(queue, None)
            if chunk is None:
                return
            in_flight[executor.submit(play_chunk, *chunk, 1)] = chunk

    failure: BaseException | None = None
    try:
        with deferred_interrupt() as interrupted:
            submit()
            while in_flight:
                done, _ = wait(in_flight, timeout=POLL_S, return_when=FIRST_COMPLETED)
                if interrupted():
                    raise KeyboardInterrupt
                for future in done:
                    chunk = in_flight.pop(future)
                    error = future.exception()
                    if error is not None:
                        failure = failure or error
                        continue
                    log.append(*chunk, future.result())
                    bar.update()
                if failure is None:
                    submit()  # after a failure the chunks in flight finish and are kept; nothing new starts
        if failure is not None:
            raise failure
    except KeyboardInterrupt:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
