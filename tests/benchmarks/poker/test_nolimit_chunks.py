"""The resumable chunks of the no-limit measurements: the log keeps every finished chunk (a cut last line
is played again), re-runs play only what is missing, round-robin over the measures, in one process or two,
and the totals equal one uninterrupted run."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from agents.arena.lbr import LBRConfig, run_lbr
from benchmarks.poker.nolimit_chunks import LBR_CHUNK, ChunkLog, headsup_measure, lbr_measure, run_chunks
from benchmarks.poker.nolimit_match import play_pairs

pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py

CONFIG = LBRConfig(runouts=100)


def test_chunks_resume_and_equal_one_run(tmp_path: Path) -> None:
    log_path = tmp_path / "chunks.jsonl"
    strength = lbr_measure("holdem_nolimit(stack=4000)", "strength", 2 * LBR_CHUNK + 4, 3, CONFIG)
    folds = headsup_measure("holdem_nolimit", "fold", "call", 12, 0, "")
    assert [c for _, *c in ChunkLog(log_path).missing([strength, folds])] == [
        [0, LBR_CHUNK], [0, 10], [LBR_CHUNK, LBR_CHUNK], [10, 2], [2 * LBR_CHUNK, 4]]
    assert run_chunks([strength, folds], ChunkLog(log_path), deadline=time.time() - 1.0, progress=False) == 5
    assert not log_path.exists()  # past the deadline nothing starts
    log = ChunkLog(log_path)
    first = log.missing([strength])[0]
    log.append(*first, {"chips": [0.0] * LBR_CHUNK, "allin_ev": [0.0] * LBR_CHUNK, "seconds": 0.0})
    with log_path.open("a") as fh:
        fh.write('{"key": "cut by a cr')  # a crash in the middle of a line
    assert run_chunks([strength, folds], ChunkLog(log_path), progress=False) == 0
    lines = log_path.read_text().splitlines()
    assert len(lines) == 6  # the planted chunk, the cut line, four played chunks
    assert run_chunks([strength, folds], ChunkLog(log_path), progress=False) == 0
    assert len(log_path.read_text().splitlines()) == 6  # nothing played twice
    values, done, _ = ChunkLog(log_path).collected(folds)
    assert done == 12 and values["plain"] == play_pairs("holdem_nolimit", "fold", "call", 0, 12, 0, "").plain
    chips, done, _ = ChunkLog(log_path).collected(strength)
    reference = run_lbr("holdem_nolimit(stack=4000)", "strength", 2 * LBR_CHUNK + 4, 3, 1, CONFIG).chips
    assert done == len(reference) and chips["chips"][LBR_CHUNK:] == reference[LBR_CHUNK:]
    assert chips["chips"][:LBR_CHUNK] == [0.0] * LBR_CHUNK  # the log is trusted: the planted chunk stays


def test_two_processes_play_every_chunk_once(tmp_path: Path) -> None:
    log_path = tmp_path / "chunks.jsonl"
    fold = lbr_measure("holdem_nolimit", "fold", 3 * LBR_CHUNK, 0, CONFIG)
    assert run_chunks([fold], ChunkLog(log_path), workers=2, progress=False) == 0
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert sorted(r["first"] for r in records) == [0, LBR_CHUNK, 2 * LBR_CHUNK]
    chips, done, _ = ChunkLog(log_path).collected(fold)
    assert done == 3 * LBR_CHUNK and sum(chips["chips"]) / done == 75.0  # 750 mbb/hand at blinds 50/100


def test_an_incomplete_or_old_record_is_played_again(tmp_path: Path) -> None:
    log_path = tmp_path / "chunks.jsonl"
    fold = lbr_measure("holdem_nolimit", "fold", LBR_CHUNK, 0, CONFIG)
    log = ChunkLog(log_path)
    log.append(fold, 0, LBR_CHUNK, {"chips": [75.0] * LBR_CHUNK, "seconds": 0.0})  # no allin_ev: format 1
    assert ChunkLog(log_path).missing([fold]) == [(fold, 0, LBR_CHUNK)]
    assert run_chunks([fold], ChunkLog(log_path), progress=False) == 0
    values, done, _ = ChunkLog(log_path).collected(fold)
    assert done == LBR_CHUNK and values["allin_ev"] == values["chips"] == [50.0, 100.0] * (LBR_CHUNK // 2)
