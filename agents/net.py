"""Agent ``net:PATH``: plays a network's raw policy (no search), best or sampled move.

Options: ``sample=0/1`` (draw from the softmax instead of taking the best move), ``temperature``
(of the sampled softmax), ``iters=K`` (iterations of a recurrent network; 0 = its training count),
``device``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.core import Agent, AgentKind
from agents.nets.core import evaluator_from_checkpoint
from agents.nets.evaluator import TorchEvaluator
from games.core import Game, State


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
    """Torch device: cpu or cuda."""

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

    def __init__(self, game: Game, evaluator: TorchEvaluator, *, sample: bool = False,
                 temperature: float = 1.0, seed: int = 0) -> None:
        self.game = game
        self.evaluator = evaluator
        self.sample = sample
        self.temperature = temperature
        self.rng = np.random.default_rng(seed)

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


def build(game: Game, options: NetOptions, seed: int) -> Agent:
    if game.spec.name == "sudoku":  # per-cell policy, greedy fill, puzzle answers: agents.nets.sudoku_scorer
        from agents.nets.sudoku_scorer import build_sudoku_net

        return build_sudoku_net(game, options, seed)
    evaluator = evaluator_from_checkpoint(options.path, game, device=options.device,
                                          iters=options.iters or None)
    return NetAgent(game, evaluator, sample=options.sample, temperature=options.temperature, seed=seed)


AGENT = AgentKind(name="net", options=NetOptions, build=build, positional="path",
                  help="net:PATH[,sample=1,temperature=T,iters=K] - a network's raw policy, no search")
