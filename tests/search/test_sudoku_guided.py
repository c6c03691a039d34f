"""Network-guided sudoku search: the exact solver as oracle, scorers of known quality, budgets."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from games.sudoku.grid import check_answer, parse_grid, read_puzzle_lines
from search.sudoku import solve
from search.sudoku.guided import candidate_matrix, guided_choice, guided_solve, guided_solve_many

HARD = Path(__file__).resolve().parents[2] / "games" / "sudoku" / "data" / "hard.txt"


@pytest.fixture(scope="module")
def hard() -> tuple[np.ndarray, np.ndarray]:
    """(puzzles, solutions) int8 [200, 81] of the shipped hard set."""
    texts = read_puzzle_lines(HARD.read_text().splitlines())
    puzzles = np.stack([parse_grid(t) for t in texts])
    solutions = np.stack([solve(p, level=3, limit=1).solution for p in puzzles])
    return puzzles, solutions


def oracle_scorer(solutions: dict[bytes, np.ndarray], sign: float = 1.0):
    """Scores +sign for the true digit of each cell (looked up by the puzzle's givens), 0 elsewhere."""
    def score(grids: np.ndarray, givens: np.ndarray) -> np.ndarray:
        out = np.zeros((len(grids), 81, 9))
        for i, (g, mask) in enumerate(zip(grids, givens)):
            sol = solutions[np.where(mask, g, 0).astype(np.int8).tobytes()]
            out[i, np.arange(81), sol - 1] = sign
        return out
    return score


def random_scorer(grids: np.ndarray, givens: np.ndarray) -> np.ndarray:
    """Deterministic pseudo-random scores: a function of each grid's contents only."""
    return np.stack([np.random.default_rng(list(g.astype(np.int64) + 1)).normal(size=(81, 9)) for g in grids])


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_classical_choice_is_the_exact_solver_node_for_node(hard, level):
    puzzles, solutions = hard
    subset = puzzles[:40] if level else puzzles[:12]
    results = guided_solve_many(subset, None, level=level)
    for p, r in zip(subset, results):
        ref = solve(p, level=level, limit=1)
        assert (r.nodes, r.guesses) == (ref.nodes, ref.guesses)
        assert np.array_equal(r.solution, ref.solution)
        assert r.evaluations == 0


@pytest.mark.parametrize("level", [0, 1])
def test_perfect_scorer_never_backtracks_and_beats_classical_search(hard, level):
    puzzles, solutions = hard
    table = {p.tobytes(): s for p, s in zip(puzzles, solutions)}
    results = guided_solve_many(puzzles, oracle_scorer(table), level=level)
    classical = guided_solve_many(puzzles, None, level=level)
    for p, s, r in zip(puzzles, solutions, results):
        assert np.array_equal(r.solution, s) and check_answer(p, r.solution) is None
        assert r.nodes <= int(np.sum(p == 0))
        assert r.evaluations == r.nodes  # every node was a right guess: one scored state per node
    assert sum(r.nodes for r in results) < sum(r.nodes for r in classical)


def test_misleading_scorer_still_finds_the_solution(hard):
    puzzles, solutions = hard
    table = {p.tobytes(): s for p, s in zip(puzzles[:30], solutions[:30])}
    good = guided_solve_many(puzzles[:30], oracle_scorer(table), level=1)
    bad = guided_solve_many(puzzles[:30], oracle_scorer(table, sign=-1.0), level=1)
    for s, g, b in zip(solutions, good, bad):
        assert np.array_equal(b.solution, s) and not b.aborted
        assert b.nodes >= g.nodes


def test_budget_cuts_the_same_search_short(hard):
    puzzles, _ = hard
    full = guided_solve_many(puzzles[:30], random_scorer, level=1)
    for budget in (1, 3, 10, 40):
        cut = guided_solve_many(puzzles[:30], random_scorer, max_nodes=budget, level=1)
        for f, c in zip(full, cut):
            assert c.nodes <= budget
            assert (c.solution is not None) == (f.nodes <= budget)
            assert c.aborted == (f.nodes > budget)
            if c.solution is not None:
                assert np.array_equal(c.solution, f.solution) and c.nodes == f.nodes


def test_lockstep_batch_equals_one_search_at_a_time(hard):
    puzzles, _ = hard
    batch = guided_solve_many(puzzles[:10], random_scorer, max_nodes=50, level=1)
    for p, b in zip(puzzles[:10], batch):
        one = guided_solve(p, random_scorer, max_nodes=50, level=1)
        assert (one.nodes, one.guesses, one.evaluations, one.aborted) == (b.nodes, b.guesses, b.evaluations, b.aborted)


def test_grid_without_solution_and_solved_grid(hard):
    puzzles, solutions = hard
    grid = puzzles[0].copy()
    cell = int(np.flatnonzero(grid == 0)[0])
    row_mask = 0x1FF & ~sum(1 << (d - 1) for d in set(grid[:9].tolist()) if d)
    legal = candidate_matrix(np.array([row_mask], dtype=np.int32))[0]  # digits absent from the cell's row
    grid[cell] = next(d for d in range(1, 10) if d != solutions[0][cell] and legal[d - 1])  # a wrong digit
    results = guided_solve_many(np.stack([grid, solutions[0]]), random_scorer, level=1)
    assert results[0].solution is None and not results[0].aborted
    assert np.array_equal(results[1].solution, solutions[0]) and results[1].nodes == 0


def test_guided_choice_uniform_scores_pick_fewest_candidates_and_bad_shape_fails(hard):
    cand = np.full(81, 0b111, dtype=np.int32)
    cand[40] = 0b101
    val = np.zeros(81, dtype=np.int8)
    cell, digits = guided_choice(cand, val, np.zeros((81, 9)))
    assert (cell, digits) == (40, [1, 3])
    scores = np.zeros((81, 9))
    scores[7, 2] = 5.0
    assert guided_choice(cand, val, scores) == (7, [3, 1, 2])
    with pytest.raises(ValueError, match="shape"):
        guided_solve(hard[0][0], lambda g, m: np.zeros((len(g), 9)), level=1)
    with pytest.raises(ValueError, match="level"):
        guided_solve(hard[0][0], None, level=4)


def test_trust_decides_between_the_scorers_hunch_and_fail_first():
    cand = np.full(81, 0b1111, dtype=np.int32)  # four candidates everywhere ...
    cand[60] = 0b0110  # ... but two at cell 60
    cand[61] = 0b0011  # and at cell 61
    val = np.zeros(81, dtype=np.int8)
    scores = np.zeros((81, 9))
    scores[5, 3] = 2.0  # a hunch at cell 5: probability e^2 / (e^2 + 3) = 0.71
    scores[61, 1] = 0.5  # cell 61 is the more confident of the two fail-first cells
    assert guided_choice(cand, val, scores, trust=0.9) == (61, [2, 1])
    assert guided_choice(cand, val, scores, trust=0.7) == (5, [4, 1, 2, 3])
    assert guided_choice(cand, val, scores, trust=0.0) == (5, [4, 1, 2, 3])
    scores[5, 3] = 5.0  # a sure cell (0.98) is followed at the default trust
    assert guided_choice(cand, val, scores)[0] == 5
    assert guided_choice(cand, val, scores, trust=1.5)[0] == 61  # trust above 1: always fail first
    with pytest.raises(ValueError, match="trust"):
        guided_solve(np.zeros(81, dtype=np.int8), None, trust=-1.0)
