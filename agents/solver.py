"""The ``solver`` agent for sudoku: the exact solver (``solver``, ``solver:level=1``).

It is both an :class:`~agents.core.Agent` (``act`` places the digit of the next empty cell, in
row-major order, from the solution of the current grid) and a :class:`~agents.core.PuzzleSolver`
(``solve_puzzle`` returns the whole answer at once, with the solver's statistics).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from agents.core import Agent, AgentKind, PuzzleResult
from games.core import Game, State, UnsupportedGameError
from games.sudoku import SudokuState
from games.sudoku.grid import format_grid
from search.sudoku import solve


@dataclass(frozen=True)
class SolverOptions:
    """Options of the ``solver`` agent (spec ``solver:level=N``)."""

    level: int = 3
    """Deduction level 0..3 (none, naked singles, + hidden singles, + locked candidates)."""

    def __post_init__(self) -> None:
        if not 0 <= self.level <= 3:
            raise ValueError(f"level must be 0..3; got {self.level}")


class SudokuSolverAgent(Agent):
    """Solves the grid exactly (first solution found, limit 1) and plays or returns that solution."""

    def __init__(self, level: int = 3) -> None:
        self.level = level
        self._solution: np.ndarray | None = None

    def reset(self) -> None:
        self._solution = None

    def _solution_for(self, state: SudokuState) -> np.ndarray | None:
        """A solution extending the current grid (cached while it still agrees), or None if none exists."""
        grid = state.grid
        if self._solution is not None and np.all((grid == 0) | (grid == self._solution)):
            return self._solution
        result = solve(grid, level=self.level, limit=1)
        self._solution = result.solution
        return self._solution

    def act(self, state: State) -> int:
        """The solution's digit in the first empty cell; any legal action if the grid has no solution."""
        assert isinstance(state, SudokuState)
        solution = self._solution_for(state)
        if solution is None:
            return int(state.legal_actions()[0])
        cell = int(np.flatnonzero(state.grid == 0)[0])
        return cell * 9 + int(solution[cell]) - 1

    def solve_puzzle(self, state: State) -> PuzzleResult:
        """The whole answer (81 characters; the unchanged grid when there is no solution) and statistics."""
        assert isinstance(state, SudokuState)
        start = time.perf_counter()
        result = solve(state.grid, level=self.level, limit=1)
        seconds = time.perf_counter() - start
        answer = result.text if result.text is not None else format_grid(state.grid)
        return PuzzleResult(answer=answer, guesses=result.guesses, nodes=result.nodes, seconds=seconds)


def _build(game: Game, options: SolverOptions, seed: int) -> SudokuSolverAgent:
    if game.spec.name != "sudoku":
        raise UnsupportedGameError(f"the solver agent plays sudoku only, not {game.spec.name}")
    return SudokuSolverAgent(level=options.level)


AGENT = AgentKind(name="solver", options=SolverOptions, build=_build,
                  help="exact sudoku solver (solver[:level=0..3])")
