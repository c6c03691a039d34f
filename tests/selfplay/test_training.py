"""selfplay.training: the schedule, the checkpoint cadence and the metrics writer after a killed run."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from selfplay.training import (CheckpointCadence, MetricsWriter, Progress, drop_metrics_after, halving_marks,
                               scheduled_lr)


def test_cosine_schedule_with_warm_up_and_clipping() -> None:
    assert [scheduled_lr(2e-3, p, schedule="constant") for p in (0.0, 0.5, 1.0)] == [2e-3] * 3
    assert scheduled_lr(2e-3, 0.0, final=0.1) == pytest.approx(2e-3)
    assert scheduled_lr(2e-3, 0.5, final=0.1) == pytest.approx(2e-3 * 0.55)
    assert scheduled_lr(2e-3, 1.0, final=0.1) == pytest.approx(2e-4)
    assert scheduled_lr(2e-3, 7.0, final=0.1) == pytest.approx(2e-4)  # clipped past the budget
    values = [scheduled_lr(2e-3, p / 20, final=0.1) for p in range(21)]
    assert all(a > b for a, b in zip(values, values[1:]))
    # linear warm-up over 10 steps, then the cosine to 5%
    assert scheduled_lr(1e-3, 0.0, step=0, warmup_steps=10) == pytest.approx(1e-4)
    assert scheduled_lr(1e-3, 0.0, step=9, warmup_steps=10) == pytest.approx(1e-3)
    assert scheduled_lr(1e-3, 0.5, step=500, warmup_steps=10) == pytest.approx(1e-3 * (0.05 + 0.95 * 0.5))
    assert scheduled_lr(1e-3, 1.0, step=900, warmup_steps=10) == pytest.approx(5e-5)
    assert scheduled_lr(1e-3, 0.0, schedule="constant", step=4, warmup_steps=10) == pytest.approx(5e-4)


def test_checkpoint_cadence_by_steps_and_by_halving_marks() -> None:
    assert halving_marks(4) == [0.125, 0.25, 0.5, 1.0]
    assert halving_marks(3, 600.0) == [150.0, 300.0, 600.0]
    every = CheckpointCadence(every=4)
    assert [s for s in range(1, 13) if every.due(s)] == [4, 8, 12]
    marks = CheckpointCadence(marks=halving_marks(3))
    due = [marks.due(step, position) for step, position in enumerate([0.1, 0.3, 0.35, 0.9, 1.0, 1.0], 1)]
    assert due == [False, True, False, True, True, False]  # 0.25 and 0.5 would both pass at once: one save
    assert CheckpointCadence.final_due(7, 4) and not CheckpointCadence.final_due(7, 7)
    assert CheckpointCadence.final_due(0, None)


def _steps(path: Path) -> list[int]:
    return [json.loads(line)["step"] for line in path.read_text().splitlines()]


def _board_steps(folder: Path, tag: str) -> list[int]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(folder))
    events.Reload()
    return [e.step for e in events.Scalars(tag)]


def test_a_resumed_run_drops_what_the_killed_run_logged_past_its_checkpoint(tmp_path: Path) -> None:
    # issue 19: killed at step 110 with checkpoint 100, resumed: steps 101-110 must not appear twice
    killed = MetricsWriter(tmp_path, start_step=0)
    for step in range(10, 111, 10):
        killed.write(step, {"loss": 1.0 / step, "lr": 1e-3})
    killed.close()  # (kill -9 would skip this; the lines were flushed at each write)
    # a real resume starts in a later second; within the same one TensorBoard orders the two event files by
    # a process-wide counter compared as text ("...10" before "...9"), which failed the full suite once
    time.sleep(1.02 - time.time() % 1.0)
    with MetricsWriter(tmp_path, start_step=100) as resumed:
        assert resumed.dropped == 1
        for step in range(110, 201, 10):
            resumed.write(step, {"loss": 1.0 / step, "lr": float("nan")})
    assert _steps(tmp_path / "metrics.jsonl") == list(range(10, 201, 10))
    last = json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[-1])
    assert last == {"step": 200, "loss": 1.0 / 200, "lr": None}  # non-finite numbers are null
    assert _board_steps(tmp_path / "tensorboard", "loss") == list(range(10, 201, 10))


def test_a_fresh_run_starts_a_fresh_log_and_keeps_lines_without_step(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 3}\n{"note": "no step"}\nnot json\n{"step": 1}\n')
    assert drop_metrics_after(path, 1) == 1
    assert path.read_text() == '{"note": "no step"}\nnot json\n{"step": 1}\n'
    assert drop_metrics_after(tmp_path / "missing.jsonl", 0) == 0
    with MetricsWriter(tmp_path, tensorboard=False) as writer:
        writer.write(5, {"x": 1})
    assert path.read_text().splitlines()[-1] == '{"step": 5, "x": 1}' and not (tmp_path / "tensorboard").exists()
    assert '{"step": 1}' not in path.read_text()


def test_progress_never_runs_past_its_total() -> None:
    with Progress(10, desc="t") as bar:
        bar.advance_to(4, loss=0.5)
        bar.advance_to(25)
        assert bar.bar.n == 10
    with Progress(None, desc="t") as open_ended:
        open_ended.advance_to(25)
        assert open_ended.bar.n == 25
