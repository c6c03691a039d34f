"""Checkpoints: one file holding weights, network config, game, format version and training metadata.

Layout of the file (a dict of tensors and primitive containers only, so that
``torch.load(weights_only=True)`` reads it)::

    {"format": "gamesearch-checkpoint", "version": 1, "game": "connect_four",
     "network": NetConfig.to_dict(), "weights": state_dict, "metadata": TrainingMetadata dict,
     "optimizer": optimizer state_dict or None}

Files are written to a temporary file in the same folder and renamed, so a reader never sees half a
file. Training runs name them ``runs/NAME/checkpoints/000123.pt`` by learner step.
"""
from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from agents.core import AgentError
from agents.nets.core import NetConfig, NetConfigError, PolicyValueNet, build_network
from games.core import Game, InputError

FORMAT_NAME = "gamesearch-checkpoint"
FORMAT_VERSION = 1
CHECKPOINT_DIR = "checkpoints"
_NAME = re.compile(r"^(\d{6,})\.pt$")


class CheckpointError(AgentError):
    """A checkpoint that cannot be used: missing, corrupt, foreign, newer format, or another game's."""


@dataclass(frozen=True, kw_only=True)
class TrainingMetadata:
    """How much training produced a checkpoint."""

    learner_steps: int = 0
    """Optimizer steps taken."""
    selfplay_games: int = 0
    """Self-play games received by the replay buffer."""
    samples: int = 0
    """Positions received by the replay buffer."""
    wall_seconds: float = 0.0
    """Wall-clock seconds of training (summed over resumed runs)."""
    network_evaluations: int = 0
    """Positions evaluated by the network in self-play and training (forward passes per position)."""
    flops_per_evaluation: int = 0
    """Floating-point operations of one position's forward pass."""
    training: str = ""
    """How the network was trained, in words (e.g. ``self-play`` or ``distilled from Stockfish depth 6 ...``)."""
    parent: str = ""
    """The checkpoint training started from (``--init``): its path, game, step and training, in words;
    empty when trained from random weights. The counters above count this training only."""
    parent_flops: float = 0.0
    """Training compute of the parent (and its own parents): add it to :attr:`compute_flops` for the
    compute behind these weights (:attr:`total_compute_flops`)."""

    @property
    def compute_flops(self) -> float:
        """Compute estimate: network evaluations x FLOPs per evaluation."""
        return float(self.network_evaluations) * float(self.flops_per_evaluation)

    @property
    def total_compute_flops(self) -> float:
        """Compute of this training and of every parent it started from."""
        return self.compute_flops + float(self.parent_flops)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["compute_flops"] = self.compute_flops
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainingMetadata":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint (weights still as a state dict)."""

    path: str
    game: str
    network: NetConfig
    weights: dict[str, torch.Tensor]
    metadata: TrainingMetadata
    optimizer: dict[str, Any] | None


def checkpoint_path(run_dir: str | Path, step: int) -> Path:
    """``run_dir/checkpoints/000123.pt`` for learner step ``step``."""
    return Path(run_dir) / CHECKPOINT_DIR / f"{step:06d}.pt"


def list_checkpoints(run_dir: str | Path) -> list[Path]:
    """Checkpoint files of a run, oldest (lowest step) first."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The newest checkpoint of a run, or None."""
    found = list_checkpoints(run_dir)
    return found[-1] if found else None


def save_checkpoint(path: str | Path, model: PolicyValueNet, game_name: str, metadata: TrainingMetadata,
                    optimizer_state: dict[str, Any] | None = None) -> Path:
    """Write a checkpoint atomically (temp file in the same folder, then rename); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "game": game_name,
        "network": model.config.to_dict(),
        "weights": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        "metadata": metadata.to_dict(),
        "optimizer": optimizer_state,
    }
    return write_atomically(path, payload)


def write_atomically(path: str | Path, payload: dict[str, Any]) -> Path:
    """``torch.save`` ``payload`` to ``path`` through a temp file in the same folder, fsync and rename, so a
    crash never leaves a half-written file; the folder is created; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; a checkpoint is an ordinary readable file
        with os.fdopen(fd, "wb") as fh:
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_torch_file(path: Path, noun: str, format_name: str, format_version: int) -> dict[str, Any]:
    """The dict saved at ``path`` (``torch.load(weights_only=True)``) after checking it exists, loads, and
    carries ``format_name`` at a version this code reads; :class:`CheckpointError` naming the ``noun``."""
    if not path.is_file():
        raise CheckpointError(f"{noun} '{path}' does not exist")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many kinds (pickle, zip, runtime) for a bad file
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"{noun} '{path}' is corrupt or not a checkpoint ({first[:120]})") from None
    if not isinstance(data, dict) or data.get("format") != format_name:
        raise CheckpointError(f"'{path}' is not a {format_name} file")
    version = data.get("version")
    if not isinstance(version, int) or version > format_version:
        raise CheckpointError(f"{noun} '{path}' has format version {version!r}; this code reads up to {format_version}")
    return data


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint with ``torch.load(weights_only=True)``; raises :class:`CheckpointError`."""
    path = Path(path)
    data = read_torch_file(path, "checkpoint", FORMAT_NAME, FORMAT_VERSION)
    try:
        network = NetConfig.from_dict(data["network"])
        metadata = TrainingMetadata.from_dict(dict(data.get("metadata") or {}))
        weights = data["weights"]
        game = str(data["game"])
    except (KeyError, TypeError, NetConfigError) as err:
        raise CheckpointError(f"checkpoint '{path}' is incomplete ({err})") from None
    return Checkpoint(path=str(path), game=game, network=network, weights=weights, metadata=metadata,
                      optimizer=data.get("optimizer"))


def load_network(path: str | Path, game: Game, device: str = "cpu") -> tuple[PolicyValueNet, Checkpoint]:
    """Build the checkpoint's network for ``game`` and load its weights (eval mode, on ``device``)."""
    ckpt = load_checkpoint(path)
    if ckpt.game != game.spec.name:
        raise CheckpointError(f"checkpoint '{path}' is a {ckpt.game} network, not {game.spec.name}")
    try:
        model = build_network(ckpt.network, game.spec)
        model.load_state_dict(ckpt.weights)
    except (RuntimeError, InputError) as err:
        first = str(err).strip().splitlines()[0]
        raise CheckpointError(f"checkpoint '{path}' does not fit {game.spec.name}'s network ({first[:120]})") from None
    model.to(device)
    model.eval()
    return model, ckpt
