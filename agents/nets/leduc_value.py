"""A value network over Leduc public belief states at the end of the first betting round.

Input (:func:`encode`): the pot (each player's contribution, as a scalar and one-hot over Leduc's three
round-1 pots) and both players' ranges normalised to sum 1. Output: ``[H, H]`` player 0's expected
return in chips per pair of private cards (conditioned on that deal, averaged over the board card to
come), when both play the rest of the hand as an equilibrium for those ranges would. :class:`NetLeafValues`
turns it into the depth-limited solver's leaf payoffs (a :data:`search.cfr.leaf_solve.LeafFn`).

Checkpoint: one file ``{"format": "gamesearch-leaf-value", "version": 1, "game": "leduc_poker",
"config": LeafNetConfig dict, "weights": state_dict, "metadata": TrainingMetadata dict}``, written to
a temporary file and renamed, read with ``torch.load(weights_only=True)``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from agents.nets.checkpoint import CheckpointError, TrainingMetadata, read_torch_file, write_atomically
from search.cfr.leaf_solve import LeafValueError
from search.cfr.tree import CHANCE, LEDUC, PublicTree

FORMAT_NAME = "gamesearch-leaf-value"
FORMAT_VERSION = 1
POTS = (1, 3, 5)
"""Each player's contribution at Leduc's round-1/round-2 boundary (check-check, one raise, two raises)."""
NUM_HANDS = LEDUC.deck_size
VALUE_SCALE = 10.0
"""Network outputs are chips / VALUE_SCALE."""
NUM_FEATURES = 1 + len(POTS) + 2 * NUM_HANDS


@dataclass(frozen=True)
class LeafNetConfig:
    """Shape of the leaf value network."""

    hidden: int = 128
    """Units per hidden layer."""
    layers: int = 3
    """Hidden layers."""

    def __post_init__(self) -> None:
        if self.hidden < 1 or self.layers < 1:
            raise ValueError(f"hidden and layers must be >= 1; got {self.hidden}, {self.layers}")


class LeafValueNet(nn.Module):
    """MLP: features [B, F] -> pair values [B, H, H] (chips / VALUE_SCALE, player 0's view)."""

    def __init__(self, config: LeafNetConfig = LeafNetConfig()) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        width = NUM_FEATURES
        for _ in range(config.layers):
            layers += [nn.Linear(width, config.hidden), nn.ReLU()]
            width = config.hidden
        layers.append(nn.Linear(width, NUM_HANDS * NUM_HANDS))
        self.body = nn.Sequential(*layers)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.body(features).view(-1, NUM_HANDS, NUM_HANDS)


def encode(pots: np.ndarray, ranges: np.ndarray) -> np.ndarray:
    """float32 [B, F] from contributions ``pots [B]`` and ranges ``[B, 2, H]`` (normalised here)."""
    pots = np.asarray(pots, dtype=np.float64)
    mass = ranges.sum(axis=2, keepdims=True)
    norm = np.where(mass > 0, ranges / np.where(mass > 0, mass, 1.0), 1.0 / NUM_HANDS)
    onehot = (pots[:, None] == np.array(POTS)[None, :]).astype(np.float64)
    return np.concatenate([pots[:, None] / max(POTS), onehot, norm.reshape(len(pots), -1)], axis=1).astype(np.float32)


def deal_weight() -> np.ndarray:
    """float64 [H, H]: the chance probability of each pair of private cards (0 on the diagonal)."""
    w = np.full((NUM_HANDS, NUM_HANDS), 1.0 / (NUM_HANDS * (NUM_HANDS - 1)))
    np.fill_diagonal(w, 0.0)
    return w


class NetLeafValues:
    """A :data:`~search.cfr.leaf_solve.LeafFn` for Leduc round-1 chance-node leaves, from a :class:`LeafValueNet`."""

    def __init__(self, model: LeafValueNet, tree: PublicTree) -> None:
        if tree.rules.name != LEDUC.name:
            raise LeafValueError(f"the leaf value network is for leduc_poker, not {tree.rules.name}")
        self.model = model.eval()
        self.tree = tree
        self.calls = 0
        self._weight = deal_weight()

    def __call__(self, nodes: np.ndarray, ranges: np.ndarray) -> np.ndarray:
        bad = [int(n) for n in nodes if int(self.tree.kind[n]) != CHANCE or int(self.tree.round[n]) != 0]
        if bad:
            raise LeafValueError(f"the leaf value network values round-1 board-dealing nodes only; got node {bad[0]}")
        pots = self.tree.contrib[nodes, 0]
        with torch.inference_mode():
            out = self.model(torch.from_numpy(encode(pots, ranges))).double().numpy()
        self.calls += 1
        return out * VALUE_SCALE * self._weight[None]


def save_leaf_net(path: str | Path, model: LeafValueNet, metadata: TrainingMetadata,
                  extra: dict[str, Any] | None = None) -> Path:
    """Write the checkpoint atomically (temp file in the same folder, then rename); returns the path."""
    payload = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "game": LEDUC.name,
               "config": dataclasses.asdict(model.config),
               "weights": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
               "metadata": metadata.to_dict(), "extra": dict(extra or {})}
    return write_atomically(path, payload)


def load_leaf_net(path: str | Path) -> tuple[LeafValueNet, TrainingMetadata]:
    """Read a leaf-value checkpoint (``weights_only=True``); raises :class:`CheckpointError`."""
    path = Path(path)
    data = read_torch_file(path, "leaf value checkpoint", FORMAT_NAME, FORMAT_VERSION)
    if data.get("game") != LEDUC.name:
        raise CheckpointError(f"leaf value checkpoint '{path}' is for {data.get('game')}, not {LEDUC.name}")
    try:
        model = LeafValueNet(LeafNetConfig(**data["config"]))
        model.load_state_dict(data["weights"])
        metadata = TrainingMetadata.from_dict(dict(data.get("metadata") or {}))
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"leaf value checkpoint '{path}' is incomplete or does not fit ({first[:120]})") from None
    return model.eval(), metadata
