"""What the exact no-limit benchmarks (``spots``, ``river``) share: their run options, their resumable JSONL
records and the mean with a 95% interval over spots or hands."""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from agents.arena.stats import normal_interval


def read_records(log: Path, fmt: int, checkpoint: str) -> dict[str, dict[str, Any]]:
    """The records of ``log`` by key, those of format ``fmt`` made on ``checkpoint`` (a line cut by a crash
    is skipped: measured again)."""
    done: dict[str, dict[str, Any]] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if row.get("format") == fmt and row.get("checkpoint") == checkpoint:
                done[row["key"]] = row
    return done


def mean_ci(values: np.ndarray) -> dict[str, Any]:
    """{"mean", "ci95" (normal, over the values), "n"}."""
    n = int(values.shape[0])
    mean = float(values.mean()) if n else float("nan")
    se = float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return {"mean": mean, "ci95": list(normal_interval(mean, se)), "n": n}


def add_run_arguments(parser: argparse.ArgumentParser, unit: str, out: str) -> None:
    """``--seed``, ``--max-minutes`` (no new ``unit`` after it), ``--out`` (default ``out``) and ``--json``."""
    parser.add_argument("--seed", type=int, default=0, help="seed of the deals (default 0)")
    parser.add_argument("--max-minutes", type=float, default=0.0, help=f"start no new {unit} after this (0: no limit)")
    parser.add_argument("--out", type=Path, default=Path(out), help="report folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
