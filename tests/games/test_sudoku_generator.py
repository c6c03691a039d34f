"""Sudoku generation, difficulty, canonical forms and the ``python -m games.sudoku`` command."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from games.cli import run_cli
from games.sudoku import canonical_form, split_disjoint
from games.sudoku.__main__ import main
from games.sudoku.canonical import canonical_grid, random_symmetry
from games.sudoku.generator import difficulty, generate_puzzle, generate_puzzles, random_full_grid
from games.sudoku.grid import check_rules, count_solutions, format_grid, parse_grid, read_puzzle_lines

ROOT = Path(__file__).resolve().parents[2]
HARD = read_puzzle_lines((ROOT / "games" / "sudoku" / "data" / "hard.txt").read_text().splitlines())


def _first_appearance(grid: np.ndarray) -> np.ndarray:
    """``grid`` with digits renumbered 1, 2, ... by order of first appearance (blanks stay 0)."""
    labels: dict[int, int] = {}
    return np.array([labels.setdefault(int(d), len(labels) + 1) if d else 0 for d in grid], dtype=np.int8)


def test_full_grids_are_valid_and_varied() -> None:
    rng = np.random.default_rng(0)
    grids = [random_full_grid(rng) for _ in range(10)]
    for grid in grids:
        assert np.all(grid > 0)
        check_rules(grid)
    assert len({format_grid(g) for g in grids}) == 10


def test_generated_puzzles_are_unique_and_minimal() -> None:
    rng = np.random.default_rng(1)
    for _ in range(5):
        puzzle, solution = generate_puzzle(rng)
        count, found = count_solutions(puzzle)
        assert count == 1 and np.array_equal(found, solution)
        assert np.all((puzzle == 0) | (puzzle == solution))
        for cell in np.flatnonzero(puzzle):  # minimal: every clue is needed
            fewer = puzzle.copy()
            fewer[cell] = 0
            assert count_solutions(fewer)[0] == 2


def test_generate_puzzles_filters_by_difficulty_and_skips_equivalents() -> None:
    rng = np.random.default_rng(2)
    first = next(generate_puzzles(np.random.default_rng(2), min_guesses=20))
    exclude = {canonical_form(first.puzzle)}
    produced = list(generate_puzzles(rng, min_guesses=20, exclude=exclude, max_attempts=20))
    assert produced and all(p.guesses >= 20 and difficulty(parse_grid(p.puzzle)) == p.guesses for p in produced)
    assert first.puzzle not in {p.puzzle for p in produced}
    assert len(exclude) == len(produced) + 1


def test_canonical_form_is_invariant_under_symmetries() -> None:
    rng = np.random.default_rng(3)
    for text in HARD[:8]:
        grid = parse_grid(text)
        key = canonical_form(grid)
        assert count_solutions(parse_grid(key))[0] == 1 and np.count_nonzero(parse_grid(key)) == np.count_nonzero(grid)
        for _ in range(3):
            assert canonical_form(random_symmetry(grid, rng)) == key
    for _ in range(50):  # the form is the smallest relabelled image: no image beats it
        image = _first_appearance(random_symmetry(grid, rng))
        assert list(parse_grid(key)) <= list(image)
    solved = random_full_grid(rng)
    assert canonical_form(random_symmetry(solved, rng)) == canonical_form(solved)
    assert canonical_grid(solved)[:9].tolist() == list(range(1, 10))  # first row relabelled 1..9


def test_canonical_forms_differ_between_puzzles_and_split_disjoint() -> None:
    keys = {canonical_form(t) for t in HARD[:30]}
    assert len(keys) == 30
    rng = np.random.default_rng(4)
    disguised = [format_grid(random_symmetry(parse_grid(t), rng)) for t in HARD[:5]]
    kept = split_disjoint(disguised + HARD[5:10] + disguised[:1], exclude=HARD[:3])
    assert kept == disguised[3:5] + HARD[5:10]


def test_cli_generate_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "p.txt"
    proc = subprocess.run([sys.executable, "-m", "games.sudoku", "generate", "--count", "3", "--min-guesses", "5",
                           "--seed", "9", "--out", str(out), "--json"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["puzzles"] == 3 and summary["mean_guesses"] >= 5
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and all(len(line) == 81 for line in lines)
    read_puzzle_lines(lines)  # each unique
    again = tmp_path / "q.txt"
    assert main(["generate", "--count", "3", "--seed", "9", "--min-guesses", "5", "--out", str(again)]) == 0
    assert again.read_text() == out.read_text()  # seeded: repeatable
    other = tmp_path / "r.txt"
    assert main(["generate", "--count", "3", "--seed", "9", "--min-guesses", "5", "--out", str(other),
                 "--exclude", str(out)]) == 0
    assert not {canonical_form(t) for t in other.read_text().split()} & {canonical_form(t) for t in lines}


def test_cli_generate_max_guesses(tmp_path: Path) -> None:
    out = tmp_path / "medium.txt"
    assert main(["generate", "--count", "3", "--seed", "4", "--min-guesses", "5", "--max-guesses", "19",
                 "--out", str(out)]) == 0
    assert all(5 <= difficulty(parse_grid(t)) <= 19 for t in out.read_text().split())


@pytest.mark.parametrize("argv, words", [
    (["generate", "--count", "0", "--out", "x"], "--count"),
    (["generate", "--count", "1", "--min-guesses", "5", "--max-guesses", "4", "--out", "x"], "--max-guesses"),
    (["generate", "--count", "1", "--out", "x", "--exclude", "/nonexistent/file"], "cannot read"),
    (["generate", "--count", "2", "--min-guesses", "100000", "--max-attempts", "3", "--out", "x"], "found only"),
])
def test_cli_bad_input_exits_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err and err.count("\n") == 1


def test_cli_bad_exclude_line_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(HARD[0] + "\n" + "1" * 81 + "\n")
    assert run_cli(main, ["generate", "--out", str(tmp_path / "o.txt"), "--exclude", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err
