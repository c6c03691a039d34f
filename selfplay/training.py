"""What every trainer shares: the learning-rate schedule, the metrics writer, the checkpoint cadence and the
progress bar. Self-play (:mod:`selfplay.trainer`), Stockfish distillation (:mod:`selfplay.distill`),
sudoku training (:mod:`selfplay.sudoku_train`, :mod:`selfplay.sudoku_think`) and Leduc value training
(:mod:`selfplay.leduc_value_train`) all use these, and nothing else writes ``metrics.jsonl``.

* **Schedule** (:func:`scheduled_lr`): optional linear warm-up over the first steps, then constant or a
  half cosine from the peak rate down to ``final`` x peak at the end of the budget.
* **Metrics** (:class:`MetricsWriter`): one JSON line per record in ``RUN/metrics.jsonl`` (non-finite
  numbers written as ``null``) and the same numbers as TensorBoard scalars in ``RUN/tensorboard/``. A run
  that restarts from step ``S`` (a resumed run: its newest checkpoint; a fresh run: 0) first drops the
  lines past ``S`` that a killed run left behind, and opens TensorBoard with ``purge_step = S + 1`` so
  that TensorBoard hides the killed run's events from there on: no step is shown twice.
* **Checkpoint cadence** (:class:`CheckpointCadence`): every N steps, and/or at marks along the budget;
  :func:`halving_marks` gives the geometric marks 1/2^(K-1), ..., 1/4, 1/2, 1 of the budget (an axis of
  training compute for the scaling study).
* **Progress** (:class:`Progress`): a tqdm bar over the budget (steps, seconds or generations) on
  standard error, with rate, ETA and the latest figures.
"""
from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

from tqdm import tqdm

TRAINING_PASS_COST = 3
"""Forward + backward of one position counted as this many forward evaluations (compute estimate)."""
METRICS_FILE = "metrics.jsonl"
"""One JSON line per logged step, in the run folder."""
TENSORBOARD_DIR = "tensorboard"
"""TensorBoard event files, in the run folder."""


def scheduled_lr(peak: float, progress: float, *, schedule: Literal["constant", "cosine"] = "cosine",
                 final: float = 0.05, step: int = 0, warmup_steps: int = 0) -> float:
    """The learning rate at ``progress`` through the budget (clipped to [0, 1]) and optimizer ``step``.

    Args:
        peak: the rate after warm-up (and at the start of a cosine).
        progress: fraction of the budget spent.
        schedule: ``constant`` or ``cosine`` (from ``peak`` to ``final * peak`` along a half cosine).
        final: the cosine's end, as a fraction of ``peak``.
        step: optimizer steps taken by this invocation (the warm-up's clock).
        warmup_steps: linear warm-up from ``peak / warmup_steps`` to ``peak`` (0 = none).
    """
    warm = min(1.0, (step + 1) / warmup_steps) if warmup_steps > 0 else 1.0
    if schedule == "constant":
        return peak * warm
    p = min(1.0, max(0.0, progress))
    return peak * warm * (final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * p)))


def halving_marks(count: int, total: float = 1.0) -> list[float]:
    """``count`` marks at ``total`` x 1/2^(count-1), ..., 1/4, 1/2, 1 (ascending)."""
    return [total * 2.0 ** (k - count + 1) for k in range(count)]


class CheckpointCadence:
    """When a trainer writes a checkpoint: every ``every`` steps and/or when its position along the budget
    (steps, seconds or a fraction) passes the next of ``marks`` (marks passed together count once).

    Args:
        every: steps between checkpoints (0 = not by steps).
        marks: ascending positions along the budget.
    """

    def __init__(self, *, every: int = 0, marks: Sequence[float] = ()) -> None:
        self.every = every
        self.marks = list(marks)

    def due(self, step: int, position: float | None = None) -> bool:
        """Whether a checkpoint is due after ``step``, at ``position`` along the budget."""
        passed = False
        while position is not None and self.marks and position >= self.marks[0]:
            self.marks.pop(0)
            passed = True
        return passed or (self.every > 0 and step % self.every == 0)

    @staticmethod
    def final_due(step: int, last_saved_step: int | None) -> bool:
        """Whether the run's final step still needs its checkpoint (a final one is always written)."""
        return last_saved_step != step


def drop_metrics_after(path: str | Path, step: int) -> int:
    """Rewrite the JSONL file ``path`` without the lines whose ``step`` is past ``step`` (atomically);
    returns how many were dropped. Lines without a step and unreadable lines are kept."""
    path = Path(path)
    if not path.is_file():
        return 0
    kept: list[str] = []
    dropped = 0
    for line in path.read_text().splitlines():
        try:
            line_step = json.loads(line).get("step")
        except (json.JSONDecodeError, AttributeError):
            line_step = None
        if isinstance(line_step, (int, float)) and line_step > step:
            dropped += 1
        else:
            kept.append(line)
    if dropped:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(line + "\n" for line in kept))
        os.replace(tmp, path)
    return dropped


def last_logged(path: Path, key: str, up_to_step: int, default: float) -> float:
    """``key`` of the last ``metrics.jsonl`` line at or before ``up_to_step`` that has it; else ``default``."""
    value = default
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a killed run
            if record.get("step", up_to_step + 1) <= up_to_step and record.get(key) is not None:
                value = float(record[key])
    return value


def finite_or_none(value: Any) -> Any:
    """``value``, or None for a non-finite float (JSON has no NaN or infinity)."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


class MetricsWriter:
    """Writes ``metrics.jsonl`` lines and TensorBoard scalars for one training invocation.

    Args:
        run_dir: the run folder.
        start_step: the step this invocation starts from (resumed: the checkpoint's step; fresh: 0). Lines
            past it are dropped from ``metrics.jsonl`` and TensorBoard purges its events from ``start_step + 1``.
        tensorboard: also write TensorBoard events.
    """

    def __init__(self, run_dir: str | Path, *, start_step: int = 0, tensorboard: bool = True) -> None:
        self.path = Path(run_dir) / METRICS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.dropped = drop_metrics_after(self.path, start_step)
        """Lines of an earlier, killed invocation dropped because they were past ``start_step``."""
        self._file = self.path.open("a")
        self._board: Any = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._board = SummaryWriter(log_dir=str(Path(run_dir) / TENSORBOARD_DIR), purge_step=start_step + 1)

    def write(self, step: int, values: Mapping[str, Any]) -> dict[str, Any]:
        """Append ``{"step": step, **values}`` as one line and the numbers as TensorBoard scalars; returns
        the line's object."""
        record = {"step": int(step), **{k: finite_or_none(v) for k, v in values.items() if k != "step"}}
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        if self._board is not None:
            for key, value in record.items():
                if key != "step" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._board.add_scalar(key, value, int(step))
            self._board.flush()
        return record

    def close(self) -> None:
        """Close the files (safe to call twice)."""
        if not self._file.closed:
            self._file.close()
        if self._board is not None:
            self._board.close()
            self._board = None

    def __enter__(self) -> "MetricsWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Progress:
    """A tqdm bar over a training budget on standard error: rate, ETA and the latest figures.

    Args:
        total: the budget (steps, seconds, generations, ...); None counts without an end.
        desc: the bar's label.
        unit: what ``total`` counts.
        disable: no bar (``--quiet``, tests).
    """

    def __init__(self, total: float | None, *, desc: str, unit: str = "step", disable: bool = False) -> None:
        self.bar = tqdm(total=total, desc=desc, unit=unit, disable=disable, file=sys.stderr, dynamic_ncols=True)

    def advance_to(self, position: float, **figures: float) -> None:
        """Move the bar to ``position`` (never past the total) and show ``figures``."""
        target = float(position) if self.bar.total is None else min(float(position), float(self.bar.total))
        if target > self.bar.n:
            self.bar.update(target - self.bar.n)
        if figures:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in figures.items()}, refresh=False)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
