"""Sudoku-aware recurrent network over (cell, digit) pairs, pooling each row, column, box and cell.

A 3x3 convolution needs several layers before a cell sees its whole row, column and box, yet every
sudoku rule, and every deduction (naked and hidden singles, locked candidates), is a statement about
one of four kinds of constraint: a cell holds one digit; a row, a column, a box holds each digit once.
Here the hidden state is one vector per (cell, digit) pair -- the 729 rows of sudoku's exact-cover
matrix -- ``h [B, 9 rows, 9 columns, 9 digits, C]``, and a layer (:class:`UnitLayer`, a DeepSets /
recurrent-relational-network style message pass) updates each pair from its own vector and the
*means* over the four constraints it belongs to::

    u = relu(W_self h + W_row mean(same digit, same row) + W_col mean(same digit, same column)
             + W_box mean(same digit, same box) + W_cell mean(same cell, all digits) + b)
    h <- LayerNorm(h + W_out u)

so that one layer can already see "digit d is a candidate nowhere else in my row" (a hidden single)
or "no other digit is left in my cell" (a naked single). The same weights serve every pair: the
network is unchanged by relabelling the digits and by moving rows within a band or bands (the rules
are), which spares it learning one rule per digit.

Like :class:`agents.nets.recurrent.RecurrentNet` (Bansal et al. 2022) the network is one weight-tied
block of ``config.blocks`` layers iterated ``iters`` times, with the input recalled at every iteration
(``h <- block(relu(W_recall [h, x]))``), so that ``iters`` is a test-time "think longer" knob; it
offers the same :meth:`SudokuNet.progressive_forward`, and :meth:`SudokuNet.forward_all` gives the
output after every iteration (for a loss at every iteration, as recurrent relational networks train).

Input per pair (computed from the observation ``[10, 9, 9]``, no parameters): digit placed here,
digit is a candidate here (absent from the cell's row, column and box), cell empty, cell given.
Heads: a linear read-out of each pair's vector to its logit (``logits[b, cell * 9 + d - 1]``, the
game's action order) and a value ("this grid can still be solved", tanh) from the mean and max over
pairs. Every parameter is trained; a checkpoint holds no fixed matrices (a few hundred kB at most).
"""
from __future__ import annotations

import torch
from torch import nn

from agents.nets.core import NetConfig, PolicyValueNet
from games.core import GameSpec, UnsupportedGameError

SIZE = 9
"""Digits, rows and columns."""
CELLS = SIZE * SIZE
"""Cells of the grid."""
FEATURES = 4
"""Input features per (cell, digit): digit placed here, digit is a candidate here, cell empty, cell given."""
OBS_SHAPE = (SIZE + 1, SIZE, SIZE)
"""Observation of a 9x9 sudoku (:meth:`games.sudoku.SudokuState.observation`)."""


def box_expand(boxes: torch.Tensor) -> torch.Tensor:
    """``[B, 3, 3, D, X]`` per box -> ``[B, 9, 9, D, X]``: each cell gets its box's vectors."""
    b, _, _, d, x = boxes.shape
    return boxes[:, :, None, :, None].expand(b, 3, 3, 3, 3, d, x).reshape(b, SIZE, SIZE, d, x)


def box_pool(h: torch.Tensor, reduce: str = "mean") -> torch.Tensor:
    """``h [B, 9, 9, D, X]`` (rows, columns, digits, features) -> ``[B, 3, 3, D, X]`` over each 3x3 box."""
    b, _, _, d, x = h.shape
    boxes = h.view(b, 3, 3, 3, 3, d, x)
    return boxes.mean(dim=(2, 4)) if reduce == "mean" else boxes.amax(dim=(2, 4))


def token_features(obs: torch.Tensor) -> torch.Tensor:
    """``obs [B, 10, 9, 9]`` -> ``[B, 9, 9, 9, FEATURES]`` (row, column, digit): placed, candidate, empty, given."""
    placed = obs[:, :SIZE].permute(0, 2, 3, 1).unsqueeze(-1)  # [B, 9 rows, 9 cols, 9 digits, 1]
    b = obs.shape[0]
    empty = 1.0 - placed.sum(dim=3, keepdim=True).clamp(max=1.0)
    in_row = placed.amax(dim=2, keepdim=True)
    in_col = placed.amax(dim=1, keepdim=True)
    in_box = box_expand(box_pool(placed, "max"))
    candidate = empty * (1.0 - torch.maximum(torch.maximum(in_row, in_col), in_box))
    given = obs[:, SIZE].reshape(b, SIZE, SIZE, 1, 1)
    ones = torch.ones_like(placed)
    return torch.cat([placed, candidate, empty * ones, given * ones], dim=-1)


class UnitLayer(nn.Module):
    """One message pass over the sudoku's constraints (see the module docstring);
    ``[B, 9, 9, 9, C] -> [B, 9, 9, 9, C]`` (row, column, digit, channels)."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.self_in = nn.Linear(channels, hidden)
        self.row_in = nn.Linear(channels, hidden, bias=False)
        self.col_in = nn.Linear(channels, hidden, bias=False)
        self.box_in = nn.Linear(channels, hidden, bias=False)
        self.cell_in = nn.Linear(channels, hidden, bias=False)
        self.out = nn.Linear(hidden, channels)
        self.norm = nn.LayerNorm(channels)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        # The pooled projections run on 81 vectors each, then broadcast to the 729 (cell, digit) tokens.
        b = h.shape[0]
        row = self.row_in(h.mean(dim=2, keepdim=True))  # same digit, same row: [B, 9, 1, 9, H]
        col = self.col_in(h.mean(dim=1, keepdim=True))  # same digit, same column: [B, 1, 9, 9, H]
        cell = self.cell_in(h.mean(dim=3, keepdim=True))  # same cell, every digit: [B, 9, 9, 1, H]
        box = self.box_in(box_pool(h))  # same digit, same box: [B, 3, 3, 9, H]
        u = self.self_in(h) + row + col + cell
        hidden = u.shape[-1]
        u = u.view(b, 3, 3, 3, 3, SIZE, hidden) + box[:, :, None, :, None]  # broadcast over each box's cells
        return self.norm(h + self.out(torch.relu(u).view(b, SIZE, SIZE, SIZE, hidden)))


class SudokuNet(PolicyValueNet):
    """Embedding, a weight-tied block (recall + ``config.blocks`` :class:`UnitLayer`), per-pair heads.

    ``forward(obs, iters)`` iterates the block ``iters`` times (default ``config.iters``). Hidden width of
    each layer's MLP: ``2 * config.channels``; ``config.policy_channels`` is not used.
    """

    def __init__(self, config: NetConfig, spec: GameSpec) -> None:
        super().__init__()
        if tuple(spec.observation_shape) != OBS_SHAPE or spec.num_actions != CELLS * SIZE:
            raise UnsupportedGameError(
                f"the sudoku network needs 9x9 sudoku observations {OBS_SHAPE} and {CELLS * SIZE} actions; "
                f"{spec.name} has {spec.observation_shape} and {spec.num_actions}")
        self.config = config
        self.spec = spec
        c = config.channels
        self.embed = nn.Linear(FEATURES, c)
        self.recall = nn.Linear(c + FEATURES, c)
        self.block = nn.Sequential(*[UnitLayer(c, 2 * c) for _ in range(config.blocks)])
        self.policy = nn.Linear(c, 1)
        self.value_fc1 = nn.Linear(2 * c, config.value_hidden)
        self.value_fc2 = nn.Linear(config.value_hidden, 1)

    def initial_state(self, obs: torch.Tensor) -> torch.Tensor:
        """Hidden state ``[B, 9, 9, 9, C]`` before the first iteration."""
        return torch.relu(self.embed(token_features(obs)))

    def _step(self, x: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        return self.block(torch.relu(self.recall(torch.cat([state, x], dim=-1))))

    def iterate(self, obs: torch.Tensor, state: torch.Tensor, iters: int) -> torch.Tensor:
        """Apply the weight-tied block ``iters`` times, feeding the input back in at every iteration."""
        x = token_features(obs)
        for _ in range(iters):
            state = self._step(x, state)
        return state

    def heads(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``h [B, 9, 9, 9, C]`` -> (logits ``[B, 729]``, values ``[B]`` in [-1, 1])."""
        logits = self.policy(h).flatten(1)  # (row, column, digit) = action cell * 9 + digit - 1
        tokens = h.flatten(1, 3)
        pooled = torch.cat([tokens.mean(dim=1), tokens.amax(dim=1)], dim=1)
        value = torch.tanh(self.value_fc2(torch.relu(self.value_fc1(pooled)))).squeeze(1)
        return logits, value

    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``obs [B, 10, 9, 9]`` -> (logits ``[B, 729]``, values ``[B]``) after ``iters`` iterations."""
        n = self.config.iters if iters is None else int(iters)
        if n < 1:
            raise ValueError(f"sudoku network needs iters >= 1; got {n}")
        return self.heads(self.iterate(obs, self.initial_state(obs), n))

    def forward_all(self, obs: torch.Tensor, iters: int | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The outputs (logits, values) after each of iterations 1..``iters`` (default ``config.iters``)."""
        n = self.config.iters if iters is None else int(iters)
        if n < 1:
            raise ValueError(f"sudoku network needs iters >= 1; got {n}")
        x = token_features(obs)
        state = torch.relu(self.embed(x))
        outputs = []
        for _ in range(n):
            state = self._step(x, state)
            outputs.append(self.heads(state))
        return outputs

    def partial_forward(self, obs: torch.Tensor, generator: torch.Generator | None = None
                        ) -> tuple[torch.Tensor, torch.Tensor]:
        """The progressive loss's output: after ``n ~ U{0..m-1}`` iterations without gradients, ``k ~
        U{1..m-n}`` more with gradients (``m = config.iters``): the block learns to improve any state it
        reaches, which lets it run longer at test time than in training."""
        m = self.config.iters
        n = int(torch.randint(0, m, (1,), generator=generator))
        k = int(torch.randint(1, m - n + 1, (1,), generator=generator))
        with torch.no_grad():
            state = self.iterate(obs, self.initial_state(obs), n)
        return self.heads(self.iterate(obs, state.detach(), k))

    def progressive_forward(self, obs: torch.Tensor, generator: torch.Generator | None = None
                            ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """As :meth:`agents.nets.recurrent.RecurrentNet.progressive_forward`: (output after
        ``config.iters`` iterations, :meth:`partial_forward`)."""
        return self.forward(obs), self.partial_forward(obs, generator)
