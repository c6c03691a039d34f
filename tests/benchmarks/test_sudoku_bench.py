"""The sudoku speed benchmark (tiny budget) and its plain-Python baseline (checked, never timed here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import python_sudoku_baseline as baseline
from benchmarks.sudoku import bucket_of, collect_puzzles, main
from games.cli import run_cli
from games.sudoku.generator import difficulty
from games.sudoku.grid import parse_grid
from search.sudoku import solve

ROOT = Path(__file__).resolve().parents[2]


def test_baseline_agrees_with_the_exact_solver() -> None:
    puzzles = collect_puzzles(per_bucket=4, seed=1)
    assert all(len(v) == 4 for v in puzzles.values())
    for name, texts in puzzles.items():
        for text in texts:
            assert bucket_of(difficulty(parse_grid(text))) == name
            assert baseline.solve(text) == [solve(text).text]
            assert len(baseline.solve(text, limit=2)) == 1
    assert len(baseline.solve("." * 81, limit=2)) == 2
    assert baseline.solve("12345678." + "." * 8 + "9" + "." * 63) == []
    with pytest.raises(ValueError):
        baseline.solve("123")


def test_speed_cli_subprocess_tiny_budget(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.sudoku", "speed", "--per-bucket", "2", "--min-seconds",
                           "0", "--json", "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for key in ("hard_puzzles_per_s", "python_baseline_hard_puzzles_per_s", "ratio_vs_python_baseline"):
        assert result[key] > 0
    assert set(result["buckets"]) == {"easy", "medium", "hard"}
    assert all(b["puzzles"] == 2 for b in result["buckets"].values())
    assert {"report.md", "report.html", "results.json", "speed.png"} <= {p.name for p in tmp_path.iterdir()}


def test_speed_bad_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(main, ["speed", "--per-bucket", "0"]) == 2
    assert capsys.readouterr().err.startswith("error:")
