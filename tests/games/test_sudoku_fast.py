"""The fast search engine against the simple reference search it replaced: same counts, solutions, nodes,
guesses, aborts and random digit orders, on thousands of generated puzzles (unique, ambiguous and
contradictory), the shipped sets and 16x16 grids; and puzzle generation unchanged by the swap."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from games.sudoku.dfs import NUM_STATS, dfs_solve, dfs_solve_reference
from games.sudoku.fast import bit_index64, popcount32
from games.sudoku.generator import generate_puzzle, generate_puzzles
from games.sudoku.grid import parse_grid, read_puzzle_lines, tables

DATA = Path(__file__).resolve().parents[2] / "games" / "sudoku" / "data"
HARD = read_puzzle_lines((DATA / "hard.txt").read_text().splitlines())
HARDEST = read_puzzle_lines((DATA / "hardest.txt").read_text().splitlines())


def _run(search, grid: np.ndarray, level: int, limit: int, seed: int = 0,
         max_nodes: int = 0) -> tuple[int, list[int] | None, list[int], int]:
    """(count, first solution, stats, final rng state) of one search function on ``grid``."""
    box = 3 if grid.shape[0] == 81 else 4
    solution = np.zeros_like(grid)
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    rng = np.array([seed], dtype=np.uint64)
    count = search(grid, level, limit, max_nodes, rng, solution, stats, *tables(box))
    return int(count), (solution.tolist() if count else None), stats.tolist(), int(rng[0])


def _assert_same(grid: np.ndarray, level: int, limit: int, seed: int = 0, max_nodes: int = 0) -> tuple:
    fast = _run(dfs_solve, grid, level, limit, seed, max_nodes)
    reference = _run(dfs_solve_reference, grid, level, limit, seed, max_nodes)
    assert fast == reference, (level, limit, seed, fast[0], reference[0], fast[2], reference[2])
    return fast


def _variants(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """Generated puzzles: minimal ones, ones stopped at 30 clues, and from each third an ambiguous
    variant (one more clue blanked) and a contradictory one (a rule-consistent wrong digit added)."""
    grids = []
    for i in range(count):
        puzzle, solution = generate_puzzle(rng, min_clues=30 if i % 2 else 0)
        grids.append(puzzle)
        if i % 3 == 0:
            fewer = puzzle.copy()
            fewer[rng.choice(np.flatnonzero(fewer))] = 0
            grids.append(fewer)
            wrong = puzzle.copy()
            cell = int(rng.choice(np.flatnonzero(wrong == 0)))
            g = wrong.reshape(9, 9)
            r, c = divmod(cell, 9)
            used = set(g[r]) | set(g[:, c]) | set(g[r // 3 * 3:r // 3 * 3 + 3, c // 3 * 3:c // 3 * 3 + 3].ravel())
            options = [d for d in range(1, 10) if d not in used and d != solution[cell]]
            if options:
                wrong[cell] = options[0]
                grids.append(wrong)
    return grids


def test_bit_helpers() -> None:
    rng = np.random.default_rng(0)
    for m in [0, 1, 2 ** 31 - 1, 2 ** 32 - 1] + [int(x) for x in rng.integers(0, 2 ** 32, 200)]:
        assert popcount32(m) == bin(m).count("1")
    for i in range(63):
        assert bit_index64(1 << i) == i


def test_same_tree_as_reference_on_thousands_of_generated_puzzles() -> None:
    grids = _variants(np.random.default_rng(2024), 1500)
    assert len(grids) >= 2300
    counts = set()
    for grid in grids:
        for level in range(4):
            counts.add(_assert_same(grid, level, 2)[0])
        _assert_same(grid, 3, 1)
    assert counts == {0, 1, 2}


@pytest.mark.parametrize("name", ["hard", "hardest"])
def test_same_tree_on_shipped_sets(name: str) -> None:
    puzzles = HARD if name == "hard" else HARDEST
    for text in puzzles:
        grid = parse_grid(text)
        for level in (1, 2, 3) if name == "hard" else (2, 3):
            for limit in (1, 2):
                assert _assert_same(grid, level, limit)[0] == 1


def test_same_random_digit_orders_and_node_budget_aborts() -> None:
    empty = np.zeros(81, dtype=np.int8)
    for seed in range(1, 41):  # random full grids: the generator's use of the rng
        count, _, _, state = _assert_same(empty, 3, 1, seed=seed)
        assert count == 1 and state != seed
    for text in HARDEST[:10]:
        grid = parse_grid(text)
        for seed in (0, 7):
            for level in (1, 3):
                count, _, stats, _ = _assert_same(grid, level, 2, seed=seed, max_nodes=5)
                assert stats[2] == 1 and stats[0] == 5  # aborted at the budget


def test_sixteen_by_sixteen_same_tree() -> None:
    rng = np.random.default_rng(8)
    for _ in range(3):
        puzzle, _ = generate_puzzle(rng, box=4, min_clues=130)
        for level in (1, 2, 3):
            assert _assert_same(puzzle, level, 2)[0] == 1
        fewer = puzzle.copy()
        fewer[np.flatnonzero(fewer)[:40]] = 0
        for level in (2, 3):
            _assert_same(fewer, level, 2, max_nodes=2000)
    empty = np.zeros(256, dtype=np.int8)
    for seed in (0, 3, 11):
        assert _assert_same(empty, 3, 1, seed=seed)[0] == 1


def test_generation_unchanged_by_the_fast_engine() -> None:
    """The shipped hard set was generated with the reference engine: the same seed gives the same puzzles."""
    stream = generate_puzzles(np.random.default_rng(2026), min_guesses=20)
    assert [next(stream).puzzle for _ in range(15)] == HARD[:15]
