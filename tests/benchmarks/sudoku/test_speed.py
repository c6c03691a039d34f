"""The sudoku speed benchmark (tiny budget) and its plain-Python baseline (checked, never timed here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.sudoku import python_baseline as baseline
from benchmarks.sudoku.speed import BUCKETS, bucket_of, collect_puzzles, main
from games.cli import run_cli
from games.sudoku.generator import difficulty
from games.sudoku.grid import parse_grid
from search.sudoku import solve

ROOT = Path(__file__).resolve().parents[3]


def test_baseline_agrees_with_the_exact_solver() -> None:
    puzzles = collect_puzzles(per_bucket=4, seed=1)
    assert tuple(puzzles) == BUCKETS and all(len(v) == 4 for v in puzzles.values())
    for name, texts in puzzles.items():
        for text in texts:
            assert bucket_of(difficulty(parse_grid(text)), solve(text, level=3, limit=2).guesses) == name
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
    for key in ("hard_puzzles_per_s", "python_baseline_hard_puzzles_per_s", "ratio_vs_python_baseline",
                "hard_api_puzzles_per_s", "api_ratio_vs_python_baseline", "hardest_puzzles_per_s",
                "python_baseline_hardest_puzzles_per_s", "hardest_ratio_vs_python_baseline"):
        assert result[key] > 0
    assert result["hard_puzzles_per_s"] == result["buckets"]["hard"]["batch_puzzles_per_s"]
    assert set(result["buckets"]) == set(BUCKETS)
    assert result["buckets"]["hardest"]["mean_guesses_level3"] >= 20
    assert all(b["puzzles"] == 2 for b in result["buckets"].values())
    assert {"report.md", "report.html", "results.json", "speed.png"} <= {p.name for p in tmp_path.iterdir()}


def test_hardest_cli_subprocess_tiny_budget(tmp_path: Path) -> None:
    out = tmp_path / "h.txt"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.sudoku", "hardest", "--count", "2", "--seed", "3",
                           "--min-guesses", "6", "--out", str(out), "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["puzzles"] == 2
    lines = out.read_text().splitlines()
    assert len(lines) == 2
    for text in lines:
        result = solve(text, level=3, limit=2)
        assert result.count == 1 and result.guesses >= 6 and difficulty(parse_grid(text)) >= 20


@pytest.mark.parametrize("argv, words", [
    (["speed", "--per-bucket", "0"], "--per-bucket"),
    (["hardest", "--count", "0", "--out", "x"], "--count"),
    (["hardest", "--count", "1", "--min-guesses", "100000", "--max-attempts", "2", "--out", "x"], "found only 0"),
])
def test_bad_options_exit_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err
