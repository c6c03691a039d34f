"""Labelled positions on disk: compact observation encoding and ``.npz`` shards written as they fill.

A chess observation (``float32 [119, 8, 8]``) is made of planes that are either binary or constant
(move count, no-progress count). :func:`encode_observations` stores each position as the packed bits
of "plane cell is non-zero" (``119 * 64 / 8 = 952`` bytes) plus one float per plane (its non-zero
value), about 1.4 kB instead of 30 kB, and refuses observations that this does not reproduce exactly.

Shards (``DIR/shard_000012.npz``, written to a temporary file and renamed, so a crash keeps every
finished shard and never leaves half a file) hold, for ``n`` positions and ``K`` policy entries:

* ``bits`` uint8 ``[n, ceil(P / 8)]`` and ``scales`` float32 ``[n, planes]``: the observation codec;
* ``legal`` uint8 ``[n, ceil(A / 8)]``: packed legal-action mask;
* ``actions`` int32 ``[n, K]`` (``-1`` = padding) and ``probs`` float32 ``[n, K]``: policy target;
* ``values`` float32 ``[n]``: value target for the player to move, in ``[-1, 1]``;
* ``keys`` unicode ``[n]``: the position key used to de-duplicate (EPD for chess).
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from games.core import InputError

_SHARD = re.compile(r"^shard_(\d{6})\.npz$")


class DatasetError(InputError):
    """A dataset folder that cannot be read (missing, no shards, corrupt or inconsistent shard)."""


def encode_observations(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pack observations whose planes are binary or constant.

    Args:
        obs: float32 ``[n, planes, H, W]``, non-negative.

    Returns:
        ``bits`` uint8 ``[n, ceil(planes * H * W / 8)]`` and ``scales`` float32 ``[n, planes]``.

    Raises:
        ValueError: a plane is neither binary nor constant (the encoding would lose information).
    """
    obs = np.asarray(obs, dtype=np.float32)
    n, planes = obs.shape[:2]
    flat = obs.reshape(n, planes, -1)
    scales = flat.max(axis=2)
    bits = np.packbits((flat != 0).reshape(n, -1), axis=1)
    if not np.array_equal(decode_observations(bits, scales, obs.shape[1:]), obs):
        raise ValueError("observations have planes that are neither binary nor constant; cannot pack them")
    return bits, scales.astype(np.float32)


def decode_observations(bits: np.ndarray, scales: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`encode_observations`: float32 ``[n, *shape]``."""
    n, planes = scales.shape
    cells = int(np.prod(shape[1:]))
    on = np.unpackbits(bits, axis=1, count=planes * cells).reshape(n, planes, cells).astype(np.float32)
    return (on * scales[:, :, None]).reshape(n, *shape)


def pack_masks(masks: np.ndarray) -> np.ndarray:
    """bool ``[n, A]`` -> uint8 ``[n, ceil(A / 8)]``."""
    return np.packbits(np.asarray(masks, dtype=bool), axis=1)


def unpack_masks(packed: np.ndarray, num_actions: int) -> np.ndarray:
    """uint8 ``[n, ceil(A / 8)]`` -> bool ``[n, A]``."""
    return np.unpackbits(packed, axis=1, count=num_actions).astype(bool)


@dataclass
class LabelledPosition:
    """One position with its targets, before it is packed into a shard."""

    observation: np.ndarray
    """float32 ``[planes, H, W]``."""
    legal_mask: np.ndarray
    """bool ``[A]``."""
    actions: np.ndarray
    """int32 ``[k]``: actions of the policy target, best first."""
    probs: np.ndarray
    """float32 ``[k]``: their target probabilities (sum 1)."""
    value: float
    """Value target for the player to move, in [-1, 1]."""
    key: str
    """De-duplication key (EPD for chess)."""


def shard_paths(folder: str | Path) -> list[Path]:
    """Shard files of a dataset folder, in write order."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _SHARD.match(p.name))]
    return [p for _, p in sorted(found)]


class ShardWriter:
    """Collects labelled positions and writes a shard every ``shard_size`` of them (and on :meth:`flush`).

    Args:
        folder: dataset folder (created); numbering continues after the shards already there.
        max_policy: ``K``, the width of the policy-target arrays.
        shard_size: positions per shard.
    """

    def __init__(self, folder: str | Path, max_policy: int, shard_size: int = 1000) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_policy = max_policy
        self.shard_size = max(1, shard_size)
        existing = shard_paths(self.folder)
        self.next_index = int(_SHARD.match(existing[-1].name).group(1)) + 1 if existing else 0  # type: ignore[union-attr]
        self.pending: list[LabelledPosition] = []
        self.written = 0
        """Positions written by this writer (not counting shards that were there before)."""

    def add(self, position: LabelledPosition) -> None:
        """Queue one position; writes a shard when ``shard_size`` are queued."""
        self.pending.append(position)
        if len(self.pending) >= self.shard_size:
            self.flush()

    def flush(self) -> Path | None:
        """Write the queued positions as one shard (atomically); returns its path, or None if none queued."""
        if not self.pending:
            return None
        batch, self.pending = self.pending, []
        n, k = len(batch), self.max_policy
        bits, scales = encode_observations(np.stack([p.observation for p in batch]))
        actions = np.full((n, k), -1, dtype=np.int32)
        probs = np.zeros((n, k), dtype=np.float32)
        for i, p in enumerate(batch):
            actions[i, :len(p.actions)] = p.actions[:k]
            probs[i, :len(p.probs)] = p.probs[:k]
        arrays = {
            "bits": bits, "scales": scales, "legal": pack_masks(np.stack([p.legal_mask for p in batch])),
            "actions": actions, "probs": probs, "values": np.array([p.value for p in batch], dtype=np.float32),
            "keys": np.array([p.key for p in batch]),
        }
        path = self.folder / f"shard_{self.next_index:06d}.npz"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez_compressed(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.next_index += 1
        self.written += n
        return path


@dataclass
class Dataset:
    """All shards of a folder, concatenated (observations still packed)."""

    bits: np.ndarray
    """uint8 ``[N, ceil(P / 8)]``."""
    scales: np.ndarray
    """float32 ``[N, planes]``."""
    legal: np.ndarray
    """uint8 ``[N, ceil(A / 8)]``."""
    actions: np.ndarray
    """int32 ``[N, K]`` (-1 padding)."""
    probs: np.ndarray
    """float32 ``[N, K]``."""
    values: np.ndarray
    """float32 ``[N]``."""
    keys: np.ndarray
    """str ``[N]``."""

    def __len__(self) -> int:
        return len(self.values)

    def subset(self, index: np.ndarray) -> "Dataset":
        """The positions at ``index``."""
        return Dataset(**{name: getattr(self, name)[index] for name in _FIELDS})

    def batch(self, index: np.ndarray, obs_shape: tuple[int, ...], num_actions: int) -> dict[str, np.ndarray]:
        """Training arrays for the positions at ``index``: observations ``[B, *obs_shape]``, legal_masks
        bool ``[B, A]``, dense policies float32 ``[B, A]``, values ``[B]``, full_search (all True)."""
        n = len(index)
        obs = decode_observations(self.bits[index], self.scales[index], obs_shape)
        policies = np.zeros((n, num_actions), dtype=np.float32)
        actions, probs = self.actions[index], self.probs[index]
        rows, cols = np.nonzero(actions >= 0)
        policies[rows, actions[rows, cols]] = probs[rows, cols]
        return {"observations": obs, "legal_masks": unpack_masks(self.legal[index], num_actions),
                "policies": policies, "values": self.values[index].astype(np.float32),
                "full_search": np.ones(n, dtype=bool)}


_FIELDS = ("bits", "scales", "legal", "actions", "probs", "values", "keys")


def load_dataset(folder: str | Path) -> Dataset:
    """Read and concatenate every shard of ``folder``.

    Raises:
        DatasetError: no shards, or a shard that is corrupt or does not match the others.
    """
    paths = shard_paths(folder)
    if not paths:
        raise DatasetError(f"no labelled positions in '{folder}' (no shard_*.npz files)")
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
    for path in paths:
        try:
            with np.load(path, allow_pickle=False) as data:
                for name in _FIELDS:
                    parts[name].append(data[name])
        except (OSError, ValueError, KeyError) as err:
            raise DatasetError(f"shard '{path}' is corrupt or incomplete ({err})") from None
    try:
        return Dataset(**{name: np.concatenate(arrays) for name, arrays in parts.items()})
    except ValueError as err:
        raise DatasetError(f"shards of '{folder}' do not match each other ({err})") from None


def load_keys(folder: str | Path) -> set[str]:
    """The de-duplication keys of every position already stored in ``folder`` (for ``--resume``)."""
    keys: set[str] = set()
    for path in shard_paths(folder):
        try:
            with np.load(path, allow_pickle=False) as data:
                keys.update(str(k) for k in data["keys"])
        except (OSError, ValueError, KeyError) as err:
            raise DatasetError(f"shard '{path}' is corrupt or incomplete ({err})") from None
    return keys
