"""A sudoku network that thinks: one weight-tied block iterated, the input recalled, a halting head.

Kind ``sudoku_think`` (:attr:`agents.nets.core.NetConfig.kind`). The hidden state is one vector per
(cell, digit) pair, ``h [B, 9 rows, 9 columns, 9 digits, C]``, updated by the constraint message passes
of :class:`agents.nets.sudoku.UnitLayer` (means over the same digit in the row, column and box and over
the cell's digits). As in the deep-thinking networks of Bansal et al. 2022 the block is *weight-tied*
and the input is *recalled* at every iteration::

    x   = token_features(obs)                      # placed, candidate, empty, given per (cell, digit)
    h_0 = relu(W_embed x)
    h_t = block(relu(W_state h_{t-1} + W_input x))  # W_input x is computed once, not per iteration

so that the iteration count is a test-time knob: trained at ``config.iters`` iterations with the
progressive loss (:mod:`selfplay.sudoku_think.loss`), the network can be run for more. Read-outs after
any iteration (:meth:`SudokuThinkNet.heads`):

* **policy**: one logit per (cell, digit) (``logits[b, cell * 9 + d - 1]``, the game's action order),
  read per cell over its legal digits (:mod:`agents.nets.sudoku_scorer`); the whole grid is the argmax
  of every blank (:func:`agents.nets.sudoku_halting.read_grids`): one pass of ``K`` iterations answers
  the whole puzzle, as recurrent relational networks and TRM do;
* **value**: "this grid can still be solved", tanh of an MLP over the mean and max of the state;
* **halt**: the logit of "the grid read now is right" (TRM's Q-halt, an ACT-style halting head), an MLP
  over the mean and max of the state and two confidence figures of the policy (the least and the mean
  confidence of a blank cell). Its inputs are detached: the head is trained as a probe of the state and
  cannot make the solver worse to make itself right. :func:`agents.nets.sudoku_halting.think` stops
  each puzzle when the head (or a verifying rule) says so.

The old kind ``sudoku`` (:mod:`agents.nets.sudoku`) is unchanged, so its checkpoints keep loading.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from agents.nets.core import NetConfig, PolicyValueNet
from agents.nets.sudoku import CELLS, FEATURES, OBS_SHAPE, SIZE, UnitLayer, token_features
from games.core import GameSpec, UnsupportedGameError

CANDIDATE = 1
"""Index of the "digit is a candidate here" feature of :func:`agents.nets.sudoku.token_features`."""
EMPTY = 2
"""Index of the "cell is empty" feature."""


class Readout(NamedTuple):
    """The heads after one iteration."""

    logits: torch.Tensor
    """[B, 729] per (cell, digit), action order ``cell * 9 + d - 1``."""
    values: torch.Tensor
    """[B] "still solvable" in [-1, 1]."""
    halt: torch.Tensor
    """[B] halting logit: "the grid read now is right" (sigmoid > 0.5: stop)."""


def legal_mask(x: torch.Tensor) -> torch.Tensor:
    """bool [B, 81, 9]: digit may go in the empty cell (from ``x = token_features(obs)``)."""
    return x[..., CANDIDATE].reshape(-1, CELLS, SIZE) > 0.5


def blank_mask(x: torch.Tensor) -> torch.Tensor:
    """bool [B, 81]: the cell is empty (from ``x = token_features(obs)``)."""
    return x[:, :, :, 0, EMPTY].reshape(-1, CELLS) > 0.5


def cell_confidence(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """float [B, 81]: the probability of each blank cell's best legal digit (1 at filled cells and at
    blanks without legal digit)."""
    legal = legal_mask(x)
    z = logits.reshape(-1, CELLS, SIZE).float().masked_fill(~legal, -1e9)
    best = torch.softmax(z, dim=2).amax(dim=2)
    return torch.where(blank_mask(x) & legal.any(dim=2), best, torch.ones_like(best))


class SudokuThinkNet(PolicyValueNet):
    """Embedding, a weight-tied block (recall + ``config.blocks`` :class:`UnitLayer`), three heads.

    ``forward(obs, iters)`` runs ``iters`` iterations (default ``config.iters``) and returns (logits,
    values) as every policy/value network does; :meth:`run` gives every iteration's :class:`Readout`,
    :meth:`start` and :meth:`step` let a caller iterate itself (halting, the progressive loss). The
    per-pair MLP of each layer is ``2 * config.channels`` wide; ``config.policy_channels`` is not used.
    """

    def __init__(self, config: NetConfig, spec: GameSpec) -> None:
        super().__init__()
        if tuple(spec.observation_shape) != OBS_SHAPE or spec.num_actions != CELLS * SIZE:
            raise UnsupportedGameError(
                f"the sudoku_think network needs 9x9 sudoku observations {OBS_SHAPE} and {CELLS * SIZE} actions; "
                f"{spec.name} has {spec.observation_shape} and {spec.num_actions}")
        self.config = config
        self.spec = spec
        c, hidden = config.channels, config.value_hidden
        self.embed = nn.Linear(FEATURES, c)
        self.recall_state = nn.Linear(c, c, bias=False)
        self.recall_input = nn.Linear(FEATURES, c)
        self.block = nn.Sequential(*[UnitLayer(c, 2 * c) for _ in range(config.blocks)])
        self.policy = nn.Linear(c, 1)
        self.value_fc1 = nn.Linear(2 * c, hidden)
        self.value_fc2 = nn.Linear(hidden, 1)
        self.halt_fc1 = nn.Linear(2 * c + 2, hidden)
        self.halt_fc2 = nn.Linear(hidden, 1)

    def start(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(features ``x [B, 9, 9, 9, 4]``, recalled input ``W_input x [B, 9, 9, 9, C]``, state ``h_0``)."""
        x = token_features(obs)
        return x, self.recall_input(x), torch.relu(self.embed(x))

    def step(self, recalled: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """One iteration: ``block(relu(W_state state + recalled))``."""
        return self.block(torch.relu(self.recall_state(state) + recalled))

    def iterate(self, recalled: torch.Tensor, state: torch.Tensor, iters: int) -> torch.Tensor:
        """``iters`` iterations from ``state``."""
        for _ in range(iters):
            state = self.step(recalled, state)
        return state

    def heads(self, state: torch.Tensor, x: torch.Tensor) -> Readout:
        """The three heads on ``state [B, 9, 9, 9, C]`` for the input features ``x``."""
        logits = self.policy(state).flatten(1)  # (row, column, digit) = action cell * 9 + digit - 1
        tokens = state.flatten(1, 3)
        pooled = torch.cat([tokens.mean(dim=1), tokens.amax(dim=1)], dim=1)
        values = torch.tanh(self.value_fc2(torch.relu(self.value_fc1(pooled)))).squeeze(1)
        with torch.no_grad():
            conf = cell_confidence(logits, x)
            blanks = blank_mask(x)
            mean_conf = (conf * blanks).sum(dim=1) / blanks.sum(dim=1).clamp_min(1)
            probe = torch.cat([pooled, conf.amin(dim=1, keepdim=True), mean_conf[:, None]], dim=1)
        probe = probe.to(self.halt_fc1.weight.dtype)
        halt = self.halt_fc2(torch.relu(self.halt_fc1(probe))).squeeze(1)
        return Readout(logits, values, halt)

    def _iters(self, iters: int | None) -> int:
        n = self.config.iters if iters is None else int(iters)
        if n < 1:
            raise ValueError(f"sudoku_think network needs iters >= 1; got {n}")
        return n

    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``obs [B, 10, 9, 9]`` -> (logits ``[B, 729]``, values ``[B]``) after ``iters`` iterations."""
        x, recalled, state = self.start(obs)
        out = self.heads(self.iterate(recalled, state, self._iters(iters)), x)
        return out.logits, out.values

    def run(self, obs: torch.Tensor, iters: int | None = None) -> list[Readout]:
        """The :class:`Readout` after each of iterations 1..``iters`` (default ``config.iters``)."""
        x, recalled, state = self.start(obs)
        outputs = []
        for _ in range(self._iters(iters)):
            state = self.step(recalled, state)
            outputs.append(self.heads(state, x))
        return outputs

    def progressive(self, obs: torch.Tensor, n: int, k: int) -> Readout:
        """The progressive loss's output (Bansal et al. 2022): ``n`` iterations without gradients, the
        state detached, then ``k`` more with gradients. The block so learns to improve whatever state it
        reaches, not to count iterations, which is what lets it run longer at test time than in training."""
        if n < 0 or k < 1:
            raise ValueError(f"progressive output needs n >= 0 and k >= 1; got n={n}, k={k}")
        x, recalled, state = self.start(obs)
        if n > 0:  # n = 0: the whole pass, the embedding included, has gradients
            with torch.no_grad():
                state = self.iterate(recalled, state, n)
            state = state.detach()
        return self.heads(self.iterate(recalled, state, k), x)
