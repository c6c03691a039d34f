"""Agent ``net:PATH``: plays a network's raw policy (no search), best or sampled move.

Options: ``sample=0/1`` (draw from the softmax instead of taking the best move), ``temperature``
(of the sampled softmax), ``iters=K`` (iterations of a recurrent network; 0 = its training count),
``device``.

For sudoku (:class:`SudokuNetAgent`) the policy is read per cell (:mod:`agents.nets.sudoku_scorer`):
the agent places the digit of the most probable (cell, digit) pair, evaluating the network once per
placement, with no backtracking and no deduction: the game ends when the grid is full (solved) or
an empty cell has no legal digit left (stuck). ``iters`` is the "think longer" knob of its recurrent
network.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from agents.core import Agent, AgentError, AgentKind, PuzzleResult
from agents.nets.backends import agent_evaluator
from agents.nets.sudoku_scorer import CELLS, SIZE, NetScorer, cell_log_probs, greedy_fill, legal_digits, load_scorer
from games.core import Game, State
from search.core import Evaluator
from games.sudoku import SudokuState
from games.sudoku.grid import format_grid


@dataclass(frozen=True)
class NetOptions:
    """Options of the ``net`` agent."""

    path: str
    """Checkpoint file (``runs/NAME/checkpoints/000123.pt``)."""
    sample: bool = False
    """Draw the move from the policy instead of taking the most probable one."""
    temperature: float = 1.0
    """Softmax temperature when sampling."""
    iters: int = 0
    """Iterations of a recurrent network at play time (0 = as trained; more = think longer)."""
    device: str = "cpu"
    """Where the network runs: cpu or cuda."""
    backend: str = "auto"
    """Inference backend (agents.nets.backends): auto (cuda with a GPU, else onnx), torch, onnx or cuda."""

    def __post_init__(self) -> None:
        if self.temperature <= 0:
            raise ValueError(f"temperature must be > 0; got {self.temperature}")
        if self.iters < 0:
            raise ValueError(f"iters must be >= 0; got {self.iters}")


def masked_softmax(logits: np.ndarray, mask: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """float64 [A] probabilities over the legal actions of ``mask`` (zero elsewhere)."""
    z = np.where(mask, logits.astype(np.float64) / temperature, -np.inf)
    z -= z[mask].max()
    p = np.where(mask, np.exp(z), 0.0)
    return p / p.sum()


class NetAgent(Agent):
    """Chooses moves from one network evaluation of the current position."""

    def __init__(self, game: Game, evaluator: Evaluator, *, sample: bool = False,
                 temperature: float = 1.0, seed: int = 0) -> None:
        self.game = game
        self.evaluator = evaluator
        self.sample = sample
        self.temperature = temperature
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def new_game(self, seed: int) -> None:
        """Draw this game's samples from (the agent's seed, the game's seed)."""
        self.reset()
        self.rng = np.random.default_rng([self.seed, seed])

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        mask = state.legal_action_mask()
        logits, _ = self.evaluator(state.observation()[None], mask[None])
        policy = masked_softmax(logits[0], mask, self.temperature if self.sample else 1.0)
        if self.sample:
            action = int(self.rng.choice(len(policy), p=policy))
        else:
            action = int(np.argmax(np.where(mask, logits[0], -np.inf)))
        return action, policy

    def act(self, state: State) -> int:
        return self.act_with_policy(state)[0]


class SudokuNetAgent(Agent):
    """Plays a sudoku network's most probable placement (see the module docstring).

    Args:
        scorer: the network. sample: draw the digit of the chosen cell from its probabilities.
        temperature: of the sampled digit distribution. seed: of the sampling.
    """

    def __init__(self, scorer: NetScorer, *, sample: bool = False, temperature: float = 1.0, seed: int = 0) -> None:
        self.scorer = scorer
        self.sample = sample
        self.temperature = temperature
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def new_game(self, seed: int) -> None:
        """Draw this game's samples from (the agent's seed, the game's seed)."""
        self.reset()
        self.rng = np.random.default_rng([self.seed, seed])

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        """The placement and the chosen cell's digit probabilities (float64 [729], zero elsewhere)."""
        assert isinstance(state, SudokuState)
        grid = state.grid[None]
        legal = legal_digits(grid)
        logp = cell_log_probs(self.scorer(grid, state.givens[None]), legal)[0]
        action = int(np.argmax(logp.reshape(-1)))
        if not np.isfinite(logp.reshape(-1)[action]):
            raise AgentError("sudoku net agent: no legal placement (the grid is finished)")
        cell = action // SIZE
        probs = np.exp(logp[cell] / (self.temperature if self.sample else 1.0))
        probs /= probs.sum()
        if self.sample:
            action = cell * SIZE + int(self.rng.choice(SIZE, p=probs))
        policy = np.zeros(CELLS * SIZE)
        policy[cell * SIZE:(cell + 1) * SIZE] = probs
        return action, policy

    def act(self, state: State) -> int:
        return self.act_with_policy(state)[0]

    def solve_puzzle(self, state: State) -> PuzzleResult:
        """Greedy fill of the whole grid (sampling off) or move by move (sampling on); no search."""
        assert isinstance(state, SudokuState)
        start = time.perf_counter()
        if self.sample:
            s = state.copy()
            while not s.is_terminal():
                s.apply(self.act(s))
            answer = str(s)
        else:
            answer = format_grid(greedy_fill(self.scorer, state.grid[None])[0][0])
        return PuzzleResult(answer=answer, guesses=0, nodes=0, seconds=time.perf_counter() - start)


def build_sudoku_net(game: Game, options: NetOptions, seed: int) -> SudokuNetAgent:
    """``net:PATH[,iters=K,sample=1,temperature=T,device=D]`` for sudoku."""
    scorer = load_scorer(options.path, game, iters=options.iters or None, device=options.device)
    return SudokuNetAgent(scorer, sample=options.sample, temperature=options.temperature, seed=seed)


def build(game: Game, options: NetOptions, seed: int) -> Agent:
    if game.spec.name == "sudoku":  # per-cell policy, greedy fill, puzzle answers
        return build_sudoku_net(game, options, seed)
    evaluator = agent_evaluator(options.path, game, backend=options.backend, device=options.device,
                                iters=options.iters or None)
    return NetAgent(game, evaluator, sample=options.sample, temperature=options.temperature, seed=seed)


AGENT = AgentKind(name="net", options=NetOptions, build=build, positional="path",
                  help="net:PATH[,sample=1,temperature=T,iters=K] - a network's raw policy, no search")
