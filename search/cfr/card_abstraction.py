"""The no-limit card abstraction: lossless preflop, distribution-aware k-means buckets after the flop.

* Preflop: the 169 hole-card classes (:func:`search.cfr.abstraction.preflop_class`), no loss.
* River: 1-D k-means of the hand's strength (equity against a random hand), weighted over every
  (board, combo) pair; buckets ordered weakest first.
* Turn and flop: k-means under the earth mover's distance of the hand's *equity distribution*, the
  histogram of its river strength over the cards to come (:mod:`search.cfr.card_features`,
  :mod:`search.cfr.kmeans`): Johanson et al. 2013's distribution-aware abstraction. Centroids are fitted on
  the hands of ``fit_boards`` canonical boards drawn by multiplicity, then every combo of every canonical
  board is assigned; buckets are ordered by mean equity.

Everything is computed once per :class:`CardAbstractionConfig` (numba, parallel over boards) and cached on
disk as one ``.npz`` (:func:`load_or_build`): bucket tables ``[canonical boards, 1326]`` for the flop,
turn and river (about 200 MB with up to 256 river buckets) plus the centroids. A hand is bucketed by
mapping its board to the canonical board and its cards through the same suit permutation
(:func:`search.cfr.suit_iso.locate`).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from games.core import InputError
from search.cfr.abstraction import COMBOS, combo_index, preflop_class
from search.cfr.card_features import BLOCKED, LEVELS, assign_boards, board_cdfs, level_weights, river_table
from search.cfr.kmeans import kmeans_1d, kmeans_emd
from search.cfr.suit_iso import canonical_boards, locate, permute_card

FORMAT_VERSION = 1
NUM_PREFLOP = 169


class CardAbstractionError(InputError):
    """A bad card-abstraction setting or a cache file that does not match its configuration."""


@dataclass(frozen=True)
class CardAbstractionConfig:
    """How finely hands are bucketed after the flop."""

    flop_buckets: int = 200
    """k-means clusters of flop equity distributions."""
    turn_buckets: int = 200
    """k-means clusters of turn equity distributions."""
    river_buckets: int = 200
    """1-D k-means clusters of river strength."""
    bins: int = 20
    """Equal-width equity bins of the flop and turn histograms."""
    fit_boards: int = 150
    """Canonical flops and turn boards (drawn by multiplicity) whose hands fit the k-means centroids."""
    iterations: int = 40
    """Largest number of Lloyd iterations per k-means fit."""
    seed: int = 0
    """Seed of the board draws and of k-means++."""

    def __post_init__(self) -> None:
        for name in ("flop_buckets", "turn_buckets", "river_buckets"):
            if not 1 <= getattr(self, name) <= 65535:
                raise CardAbstractionError(f"{name} must lie in 1..65535, got {getattr(self, name)}")
        if not 2 <= self.bins <= 200 or self.fit_boards < 1 or self.iterations < 1:
            raise CardAbstractionError(f"bad card abstraction setting: {self}")

    @property
    def num_buckets(self) -> tuple[int, int, int, int]:
        """Buckets per round (preflop, flop, turn, river)."""
        return (NUM_PREFLOP, self.flop_buckets, self.turn_buckets, self.river_buckets)

    def fingerprint(self) -> str:
        """Short hash of the configuration and format: names the cache file, ties blueprints to it."""
        text = json.dumps({"version": FORMAT_VERSION, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class CardTables(NamedTuple):
    """The lookup tables numba reads (``F``, ``T``, ``R`` canonical flops, turns, rivers)."""

    flop_keys: np.ndarray
    """int64 [F]: sorted canonical keys of the flops (:mod:`search.cfr.suit_iso`)."""
    turn_keys: np.ndarray
    """int64 [T]."""
    river_keys: np.ndarray
    """int64 [R]."""
    flop: np.ndarray
    """uint8/uint16 [F, 1326]: bucket of each combo on each canonical flop."""
    turn: np.ndarray
    """uint8/uint16 [T, 1326]."""
    river: np.ndarray
    """uint8/uint16 [R, 1326]."""


@dataclass(frozen=True)
class CardAbstraction:
    """A built card abstraction."""

    config: CardAbstractionConfig
    tables: CardTables
    flop_centroids: np.ndarray
    """float32 [Kf, D]: flop centroid CDFs, weakest first."""
    turn_centroids: np.ndarray
    """float32 [Kt, D]: turn centroid CDFs, weakest first."""
    river_centres: np.ndarray
    """float64 [Kr]: river strength centres, increasing."""

    @property
    def num_buckets(self) -> tuple[int, int, int, int]:
        return self.config.num_buckets

    def fingerprint(self) -> str:
        return self.config.fingerprint()

    def bucket(self, hole: tuple[int, int] | list[int], board: list[int] | tuple[int, ...]) -> int:
        """Bucket of hole cards ``hole`` with ``board`` (0, 3, 4 or 5 cards; the round follows)."""
        a, b = int(hole[0]), int(hole[1])
        if len(board) == 0:
            return int(preflop_class(a, b))
        table, keys = {3: (self.tables.flop, self.tables.flop_keys), 4: (self.tables.turn, self.tables.turn_keys),
                       5: (self.tables.river, self.tables.river_keys)}[len(board)]
        row, perm = locate(np.asarray(board, dtype=np.int64), keys)
        return int(table[row, combo_index(permute_card(a, perm), permute_card(b, perm))])


def _bucket_dtype(k: int) -> type:
    return np.uint8 if k <= 256 else np.uint16


def _fit_rows(multiplicity: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Rows of ``count`` canonical boards drawn without replacement with probability ~ multiplicity."""
    rng = np.random.default_rng(seed)
    count = min(count, multiplicity.shape[0])
    return np.sort(rng.choice(multiplicity.shape[0], size=count, replace=False, p=multiplicity / multiplicity.sum()))


def _order_by_equity(centroids: np.ndarray) -> np.ndarray:
    """Centroids sorted by mean equity (CDF area: lower area = stronger), weakest first."""
    return centroids[np.argsort(-centroids.sum(axis=1), kind="stable")]


def _fit_distribution(keys: np.ndarray, mult: np.ndarray, k: int, clusters: int, rivers: np.ndarray,
                      table: np.ndarray, config: CardAbstractionConfig, salt: int) -> np.ndarray:
    rows = _fit_rows(mult, config.fit_boards, config.seed + salt)
    cdfs = board_cdfs(keys[rows], k, rivers, table, COMBOS, config.bins)
    points = cdfs.reshape(-1, config.bins)
    points = np.ascontiguousarray(points[points[:, -1] > 0])
    centroids, _ = kmeans_emd(points, np.ones(points.shape[0]), min(clusters, points.shape[0]),
                              config.iterations, config.seed + salt)
    return _order_by_equity(centroids).astype(np.float32)


def build(config: CardAbstractionConfig) -> CardAbstraction:
    """Compute the abstraction (minutes with the default sizes; numba uses every core)."""
    flop_keys, flop_mult = canonical_boards(3)
    turn_keys, turn_mult = canonical_boards(4)
    river_keys, river_mult = canonical_boards(5)
    strengths = river_table(river_keys, COMBOS)
    levels = level_weights(strengths, river_mult)
    present = np.flatnonzero(levels)
    centres = kmeans_1d(present / LEVELS, levels[present], config.river_buckets, 100)
    cuts = (centres[1:] + centres[:-1]) / 2
    lut = np.searchsorted(cuts, np.arange(BLOCKED + 1) / LEVELS, side="right")
    lut = lut.astype(_bucket_dtype(config.river_buckets))
    lut[BLOCKED] = 0
    river = lut[strengths]
    turn_centroids = _fit_distribution(turn_keys, turn_mult, 4, config.turn_buckets, river_keys, strengths, config, 1)
    turn = np.zeros((turn_keys.shape[0], COMBOS.shape[0]), dtype=_bucket_dtype(config.turn_buckets))
    assign_boards(turn_keys, 4, river_keys, strengths, COMBOS, turn_centroids, turn)
    flop_centroids = _fit_distribution(flop_keys, flop_mult, 3, config.flop_buckets, river_keys, strengths, config, 2)
    flop = np.zeros((flop_keys.shape[0], COMBOS.shape[0]), dtype=_bucket_dtype(config.flop_buckets))
    assign_boards(flop_keys, 3, river_keys, strengths, COMBOS, flop_centroids, flop)
    tables = CardTables(flop_keys, turn_keys, river_keys, flop, turn, river)
    return CardAbstraction(config, tables, flop_centroids, turn_centroids, centres)


def default_cache_dir() -> Path:
    """``$GAMESEARCH_CACHE`` or ``$XDG_CACHE_HOME/gamesearch`` (``~/.cache/gamesearch``), then ``poker``."""
    root = os.environ.get("GAMESEARCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "gamesearch")
    return Path(root) / "poker"


def cache_path(config: CardAbstractionConfig, cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()) / f"nolimit-cards-{config.fingerprint()}.npz"


def save(abstraction: CardAbstraction, path: Path) -> None:
    """Write ``abstraction`` to ``path`` atomically (temp file + rename), mode 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, version=FORMAT_VERSION, config=json.dumps(asdict(abstraction.config)),
                 flop_centroids=abstraction.flop_centroids, turn_centroids=abstraction.turn_centroids,
                 river_centres=abstraction.river_centres, **abstraction.tables._asdict())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def load(path: Path) -> CardAbstraction:
    """Read an abstraction written by :func:`save`; raises CardAbstractionError on a foreign file."""
    try:
        with np.load(path) as f:
            if int(f["version"]) != FORMAT_VERSION:
                raise CardAbstractionError(f"{path}: card abstraction format {int(f['version'])}, "
                                           f"expected {FORMAT_VERSION}")
            config = CardAbstractionConfig(**json.loads(str(f["config"])))
            tables = CardTables(*(f[name] for name in CardTables._fields))
            return CardAbstraction(config, tables, f["flop_centroids"], f["turn_centroids"], f["river_centres"])
    except (OSError, KeyError, ValueError, TypeError) as err:
        raise CardAbstractionError(f"{path} is not a card abstraction file ({err})") from None


def load_or_build(config: CardAbstractionConfig, cache_dir: Path | None = None) -> CardAbstraction:
    """The abstraction from the cache (built and written first if missing)."""
    path = cache_path(config, cache_dir)
    if path.exists():
        abstraction = load(path)
        if abstraction.config == config:
            return abstraction
    abstraction = build(config)
    save(abstraction, path)
    return abstraction
