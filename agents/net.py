"""Agent ``net:PATH``: plays a network's raw policy (no search), best or sampled move.

Options: ``sample=0/1`` (draw from the softmax instead of taking the best move), ``temperature``
(of the sampled softmax), ``iters=K`` (iterations of a recurrent network; 0 = its training count),
``device``; for sudoku also ``read``, ``halt``, ``patience`` and ``threshold`` (below).

For sudoku (:class:`SudokuNetAgent`) the policy is read per cell (:mod:`agents.nets.sudoku_scorer`):
the agent places the digit of the most probable (cell, digit) pair, evaluating the network once per
placement, with no backtracking and no deduction: the game ends when the grid is full (solved) or
an empty cell has no legal digit left (stuck). ``iters`` is the "think longer" knob of its recurrent
network. A thinking network (kind ``sudoku_think``, :mod:`agents.nets.sudoku_think`) answers instead the
whole grid from one pass (``read=oneshot``, its default): every blank gets its most probable legal digit
after ``iters`` iterations, or, with ``halt=1`` (``rule``), as soon as the grid read is a solution
(``patience=J``: also when it has not changed for J iterations), ``halt=head`` when the network's halting
head says so, ``halt=both`` whichever comes first (:mod:`agents.nets.sudoku_halting`); ``iters`` is then
the most it may think. Each answer reports the iterations used (``PuzzleResult.iterations``; for greedy
filling: network calls x iterations). Example: ``net:runs/think/checkpoints/020000.pt,iters=64,halt=1``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

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
    read: Literal["auto", "greedy", "oneshot"] = "auto"
    """Sudoku: greedy (one placement per network call) or oneshot (the whole grid from one pass of a
    sudoku_think network); auto = oneshot for sudoku_think networks, else greedy."""
    halt: Literal["0", "1", "off", "rule", "head", "both"] = "0"
    """Sudoku oneshot: when to stop thinking: 0/off after iters, 1/rule when the grid read is a solution,
    head by the network's halting head, both (agents.nets.sudoku_halting)."""
    patience: int = 0
    """With halt=rule/both: also stop when the grid read has not changed for this many iterations (0 = never)."""
    threshold: float = 0.5
    """With halt=head/both: stop when the halting head's probability exceeds this."""

    def __post_init__(self) -> None:
        if self.temperature <= 0:
            raise ValueError(f"temperature must be > 0; got {self.temperature}")
        if self.iters < 0:
            raise ValueError(f"iters must be >= 0; got {self.iters}")
        if self.patience < 0 or not 0 < self.threshold < 1:
            raise ValueError(f"need patience >= 0 and 0 < threshold < 1; got {self.patience} and {self.threshold}")

    @property
    def halt_mode(self) -> str:
        """``halt`` as one of off, rule, head, both."""
        return {"0": "off", "1": "rule"}.get(self.halt, self.halt)


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

    def __init__(self, scorer: NetScorer, *, sample: bool = False, temperature: float = 1.0, seed: int = 0,
                 thinker: "Thinker | None" = None) -> None:
        self.scorer = scorer
        self.sample = sample
        self.temperature = temperature
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.thinker = thinker
        """One-pass answers of a thinking network (``read=oneshot``), or None: greedy filling."""

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
        """One pass of thinking (a thinker), else greedy fill of the whole grid (sampling off) or move by
        move (sampling on); no search. Reports the iterations the network ran."""
        assert isinstance(state, SudokuState)
        start = time.perf_counter()
        if self.thinker is not None and not self.sample:
            answers, iterations = self.thinker.answer(state.grid[None])
            return PuzzleResult(answer=format_grid(answers[0]), guesses=0, nodes=0,
                                seconds=time.perf_counter() - start, iterations=int(iterations[0]))
        calls = self.scorer.evaluations
        if self.sample:
            s = state.copy()
            while not s.is_terminal():
                s.apply(self.act(s))
            answer = str(s)
        else:
            answer = format_grid(greedy_fill(self.scorer, state.grid[None])[0][0])
        evaluator = self.scorer.evaluator
        config = evaluator.model.config
        recurrent = config.kind in ("recurrent", "sudoku", "sudoku_think")
        used = (self.scorer.evaluations - calls) * (evaluator.iters or config.iters) if recurrent else None
        return PuzzleResult(answer=answer, guesses=0, nodes=0, seconds=time.perf_counter() - start, iterations=used)


@dataclass(frozen=True)
class Thinker:
    """A sudoku_think network answering whole grids in one pass (:func:`agents.nets.sudoku_halting.think_grids`)."""

    model: object
    """The :class:`~agents.nets.sudoku_think.SudokuThinkNet` (eval mode, on ``device``)."""
    max_iters: int
    """Iterations of a fixed-depth pass, or the most a halted pass may run."""
    halt: str = "off"
    """off, rule, head or both (:mod:`agents.nets.sudoku_halting`)."""
    patience: int = 0
    """With rule/both: stop when the grid read has not changed for this many iterations (0 = never)."""
    threshold: float = 0.5
    """With head/both: the halting probability that stops."""
    device: str = "cpu"
    """Where the model runs."""

    def answer(self, grids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(answers int8 [B, 81], iterations int64 [B]) for the grids int [B, 81]."""
        from agents.nets.sudoku_halting import think_grids

        return think_grids(self.model, grids, self.max_iters, halt=self.halt, patience=self.patience,  # type: ignore[arg-type]
                           threshold=self.threshold, device=self.device)


def build_sudoku_net(game: Game, options: NetOptions, seed: int) -> SudokuNetAgent:
    """``net:PATH[,iters=K,sample=1,temperature=T,device=D,read=R,halt=H,patience=J,threshold=P]`` for sudoku."""
    scorer = load_scorer(options.path, game, iters=options.iters or None, device=options.device)
    model = scorer.evaluator.model
    thinking = model.config.kind == "sudoku_think"
    read = options.read if options.read != "auto" else ("oneshot" if thinking else "greedy")
    if read == "oneshot" and not thinking:
        raise AgentError(f"net: read=oneshot needs a sudoku_think network; {options.path} is a {model.config.kind} "
                         "network")
    if options.halt_mode != "off" and read != "oneshot":
        raise AgentError("net: halt needs read=oneshot (a sudoku_think network)")
    thinker = None
    if read == "oneshot":
        thinker = Thinker(model, options.iters or model.config.iters, options.halt_mode, options.patience,
                          options.threshold, options.device)
    return SudokuNetAgent(scorer, sample=options.sample, temperature=options.temperature, seed=seed, thinker=thinker)


def build(game: Game, options: NetOptions, seed: int) -> Agent:
    if game.spec.name == "sudoku":  # per-cell policy, greedy fill, puzzle answers
        return build_sudoku_net(game, options, seed)
    evaluator = agent_evaluator(options.path, game, backend=options.backend, device=options.device,
                                iters=options.iters or None)
    return NetAgent(game, evaluator, sample=options.sample, temperature=options.temperature, seed=seed)


AGENT = AgentKind(name="net", options=NetOptions, build=build, positional="path",
                  help="net:PATH[,sample=1,temperature=T,iters=K,halt=1] - a network's raw policy, no search")
