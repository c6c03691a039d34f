"""The ``guided`` agent for sudoku: network-guided depth-first search with a node budget.

``guided:net=PATH,nodes=N[,level=L,iters=K,trust=T,device=D]`` (or ``guided:PATH,...``): the network of
the checkpoint orders cells and digits (branching where it is at least ``trust`` sure, else on a cell
with fewest candidates), the exact deductions of ``level`` prune, and the search
(:mod:`search.sudoku.guided`) stops at the first solution or after ``nodes`` branching states. The
default level 1 (naked singles) is the level puzzle difficulty is measured at, so the network, not
the deductions, does the work (at level 3 most generated puzzles need no branching at all).

As a :class:`~agents.core.PuzzleSolver` it answers a whole puzzle (the unchanged grid when the
budget runs out); as an :class:`~agents.core.Agent` ``act`` places the next cell of the search's
solution, or the network's most probable placement when the search found none within the budget.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from agents.core import Agent, AgentKind, PuzzleResult
from agents.net import SudokuNetAgent
from agents.nets.sudoku_scorer import load_scorer
from games.core import Game, State, UnsupportedGameError
from games.sudoku import SudokuState
from games.sudoku.grid import format_grid
from search.sudoku.guided import DEFAULT_TRUST, GuidedResult, guided_solve


@dataclass(frozen=True)
class GuidedOptions:
    """Options of the ``guided`` agent."""

    net: str
    """Sudoku checkpoint file (``runs/NAME/checkpoints/000123.pt``)."""
    nodes: int = 256
    """Node budget of the search (branching states; 0 = no limit)."""
    level: int = 1
    """Deduction level 0..3 of the search (none, naked singles, + hidden singles, + locked candidates)."""
    iters: int = 0
    """Iterations of a recurrent network (0 = as trained)."""
    trust: float = DEFAULT_TRUST
    """Confidence from which the network's most confident cell is branched on (> 1: always fewest candidates)."""
    device: str = "cpu"
    """Torch device: cpu or cuda."""

    def __post_init__(self) -> None:
        if self.nodes < 0:
            raise ValueError(f"nodes must be >= 0; got {self.nodes}")
        if not 0 <= self.level <= 3:
            raise ValueError(f"level must be 0..3; got {self.level}")
        if self.iters < 0:
            raise ValueError(f"iters must be >= 0; got {self.iters}")
        if not self.trust >= 0:
            raise ValueError(f"trust must be >= 0; got {self.trust}")


class GuidedAgent(Agent):
    """Network-guided depth-first search (see the module docstring)."""

    def __init__(self, raw: SudokuNetAgent, nodes: int, level: int, trust: float = DEFAULT_TRUST) -> None:
        self.raw = raw
        self.nodes = nodes
        self.level = level
        self.trust = trust
        self._solution: np.ndarray | None = None

    def reset(self) -> None:
        self._solution = None

    def search(self, state: SudokuState) -> GuidedResult:
        """The guided search from ``state``'s grid (its givens are the puzzle's)."""
        scorer = self.raw.scorer

        def score(grids: np.ndarray, _givens: np.ndarray) -> np.ndarray:
            return scorer(grids, np.broadcast_to(state.givens, grids.shape))

        return guided_solve(state.grid, score, max_nodes=self.nodes, level=self.level, trust=self.trust)

    def act(self, state: State) -> int:
        assert isinstance(state, SudokuState)
        grid = state.grid
        if self._solution is None or not np.all((grid == 0) | (grid == self._solution)):
            self._solution = self.search(state).solution
        if self._solution is None:
            return self.raw.act(state)
        cell = int(np.flatnonzero(grid == 0)[0])
        return cell * 9 + int(self._solution[cell]) - 1

    def solve_puzzle(self, state: State) -> PuzzleResult:
        """The search's answer (the unchanged grid when none was found) and its guesses and nodes."""
        assert isinstance(state, SudokuState)
        start = time.perf_counter()
        result = self.search(state)
        answer = result.text if result.text is not None else format_grid(state.grid)
        return PuzzleResult(answer=answer, guesses=result.guesses, nodes=result.nodes,
                            seconds=time.perf_counter() - start)


def _build(game: Game, options: GuidedOptions, seed: int) -> GuidedAgent:
    if game.spec.name != "sudoku":
        raise UnsupportedGameError(f"the guided agent plays sudoku only, not {game.spec.name}")
    scorer = load_scorer(options.net, game, iters=options.iters or None, device=options.device)
    return GuidedAgent(SudokuNetAgent(scorer, seed=seed), nodes=options.nodes, level=options.level,
                       trust=options.trust)


AGENT = AgentKind(name="guided", options=GuidedOptions, build=_build, positional="net",
                  help="guided:net=PATH,nodes=N[,level=L,iters=K,trust=T] - sudoku depth-first search ordered by a network")
