"""Training positions of the thinking network: generated puzzles labelled by the exact solver, kept apart
from the held-out test puzzles by canonical form, and a pool that serves them under random symmetries.

* :class:`PositionMaker` (a plain class; :mod:`selfplay.sudoku_think.actors` runs copies of it as Ray
  workers) generates minimal puzzles (:func:`games.sudoku.generator.generate_puzzle`), drops any whose
  canonical form is that of a held-out puzzle (:func:`heldout_forms`: the shipped test files by default),
  labels each with the exact solver (:func:`search.sudoku.solve_many`, which must find exactly one
  solution, the generator's) and makes one position of it: the bare puzzle (share ``puzzle_share``), the
  puzzle with a random share of its blanks filled from the solution (``partial_share``), or such a grid
  with one wrong legal digit (the rest: no solution, value -1). Filled positions are shown after the
  naked-single deductions of the guided search, as that search shows its states to the network
  (:func:`selfplay.sudoku_train.data.search_positions`, which halves the share until a blank is left).
* Each position carries the 64-bit hash of its puzzle's canonical form (:func:`form_hash`); the trainer
  appends them to ``RUN/train_forms.u64`` so that a benchmark can prove its test puzzles were never
  trained on, under any symmetry (:func:`read_train_forms`).
* :class:`PositionPool` keeps the newest ``capacity`` positions and draws batches, each position under a
  fresh random grid symmetry (:func:`random_symmetries`: relabelling, row and column maps, transpose).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from games.core import InputError
from games.sudoku.canonical import canonical_form
from games.sudoku.generator import difficulty, generate_puzzle
from games.sudoku.grid import read_puzzle_lines
from search.sudoku import solve_many
from selfplay.sudoku_train.data import SEARCH_LEVEL, deduce, random_wrong_fill, search_positions

REPO = Path(__file__).resolve().parents[2]
"""The checkout (default held-out files are relative to it)."""
HELDOUT_FILES = tuple(str(REPO / "games" / "sudoku" / "data" / f"{name}.txt")
                      for name in ("easy", "medium", "hard", "hardest"))
"""The shipped test puzzles: never trained on, the buckets of ``python -m benchmarks.sudoku think``."""
HELDOUT_FORMS_FILE = "heldout_forms.txt"
"""Run file: the canonical forms the run was kept apart from, one per line."""
TRAIN_FORMS_FILE = "train_forms.u64"
"""Run file: 64-bit hashes (little-endian) of the canonical forms of every puzzle trained on."""
PUZZLE, PARTIAL, WRONG = 0, 1, 2
"""Kinds of position."""


def form_hash(form: str) -> int:
    """64-bit hash of a canonical form (blake2b)."""
    return int.from_bytes(hashlib.blake2b(form.encode(), digest_size=8).digest(), "little")


def read_puzzle_file(path: str | Path) -> list[str]:
    """The puzzles of ``path`` (one per line); InputError when unreadable or empty."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise InputError(f"cannot read puzzle file {path}: {err.strerror}") from None
    puzzles = read_puzzle_lines(lines)
    if not puzzles:
        raise InputError(f"puzzle file {path} holds no puzzle")
    return puzzles


def heldout_forms(paths: Iterable[str | Path]) -> set[str]:
    """Canonical forms of every puzzle of the files ``paths``."""
    return {canonical_form(p) for path in paths for p in read_puzzle_file(path)}


def read_train_forms(run: str | Path) -> np.ndarray | None:
    """Sorted uint64 hashes of the run's training puzzles, or None when the run has no record."""
    path = Path(run) / TRAIN_FORMS_FILE
    if not path.is_file():
        return None
    return np.unique(np.fromfile(path, dtype="<u8"))


@dataclass(frozen=True)
class Positions:
    """Labelled positions (numpy; row i of every array is position i)."""

    grids: np.ndarray
    """int8 [N, 81] the position (0 = blank)."""
    givens: np.ndarray
    """bool [N, 81] the puzzle's givens."""
    solutions: np.ndarray
    """int8 [N, 81] the unique solution of the position, all zeros when it has none."""
    kinds: np.ndarray
    """int8 [N]: :data:`PUZZLE`, :data:`PARTIAL` or :data:`WRONG`."""
    guesses: np.ndarray
    """int32 [N]: the puzzle's difficulty (exact-solver guesses at level 1)."""
    forms: np.ndarray
    """uint64 [N]: :func:`form_hash` of the puzzle's canonical form."""

    def __len__(self) -> int:
        return len(self.grids)

    @staticmethod
    def concat(parts: list["Positions"]) -> "Positions":
        """One set from several."""
        names = ("grids", "givens", "solutions", "kinds", "guesses", "forms")
        return Positions(*(np.concatenate([getattr(p, n) for p in parts]) for n in names))

    def take(self, index: np.ndarray) -> "Positions":
        """The rows ``index``."""
        return Positions(self.grids[index], self.givens[index], self.solutions[index], self.kinds[index],
                         self.guesses[index], self.forms[index])


class PositionMaker:
    """Makes labelled positions from fresh puzzles (see the module docstring).

    Args:
        heldout: canonical forms never to train on. puzzle_share, partial_share, min_guesses: as
            :class:`~selfplay.sudoku_think.config.ThinkTrainConfig`. seed: of the puzzles and positions.
    """

    def __init__(self, heldout: set[str], *, puzzle_share: float, partial_share: float, min_guesses: int = 0,
                 seed: int | list[int] = 0) -> None:
        self.heldout = heldout
        self.puzzle_share = puzzle_share
        self.partial_share = partial_share
        self.min_guesses = min_guesses
        self.rng = np.random.default_rng(seed)
        self.puzzles_made = 0
        """Puzzles generated so far."""
        self.heldout_skipped = 0
        """Generated puzzles dropped because a held-out puzzle has their canonical form."""

    def puzzles(self, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(puzzles int8 [count, 81], guesses int32 [count], form hashes uint64 [count]): new puzzles whose
        canonical forms are not held out and that need at least ``min_guesses`` guesses."""
        grids, guesses, forms = [], [], []
        while len(grids) < count:
            puzzle, _ = generate_puzzle(self.rng)
            self.puzzles_made += 1
            g = difficulty(puzzle)
            if g < self.min_guesses:
                continue
            form = canonical_form(puzzle)
            if form in self.heldout:
                self.heldout_skipped += 1
                continue
            grids.append(puzzle)
            guesses.append(g)
            forms.append(form_hash(form))
        return np.stack(grids), np.array(guesses, dtype=np.int32), np.array(forms, dtype=np.uint64)

    def make(self, count: int) -> Positions:
        """``count`` labelled positions, one per new puzzle."""
        puzzles, guesses, forms = self.puzzles(count)
        result = solve_many(puzzles, level=3, limit=2)
        if np.any(result.counts != 1):
            raise RuntimeError("sudoku_think data: the exact solver did not find exactly one solution of a "
                               "generated puzzle")
        solutions = result.solutions
        u = self.rng.random(count)
        kinds = np.where(u < self.puzzle_share, PUZZLE,
                         np.where(u < self.puzzle_share + self.partial_share, PARTIAL, WRONG)).astype(np.int8)
        grids = puzzles.copy()
        filled = kinds != PUZZLE
        if filled.any():
            part = search_positions(puzzles[filled], solutions[filled], self.rng, SEARCH_LEVEL)
            wrong = kinds[filled] == WRONG
            if wrong.any():
                part[wrong], _ = deduce(random_wrong_fill(part[wrong], solutions[filled][wrong], self.rng), SEARCH_LEVEL)
            grids[filled] = part
        labels = solve_many(grids, level=3, limit=1)
        ok = (labels.counts > 0)[:, None]
        return Positions(grids=grids, givens=puzzles > 0, solutions=np.where(ok, labels.solutions, 0).astype(np.int8),
                         kinds=kinds, guesses=guesses, forms=forms)


def random_symmetries(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random grid symmetries: (source cell of each cell int64 [n, 81], digit map int8 [n, 10] with 0 -> 0).

    Each is a band order and row orders within bands, a stack order and column orders within stacks, a
    transpose with probability 1/2, and a relabelling of the digits (the group of
    :mod:`games.sudoku.canonical`)."""
    def lines() -> np.ndarray:
        outer = rng.permuted(np.tile(np.arange(3), (n, 1)), axis=1)
        inner = rng.permuted(np.tile(np.arange(3), (n, 3, 1)), axis=2)
        return (3 * outer[:, :, None] + inner).reshape(n, 9)

    rows, cols = lines(), lines()
    source = rows[:, :, None] * 9 + cols[:, None, :]
    flip = rng.random(n) < 0.5
    source[flip] = source[flip].transpose(0, 2, 1)
    digits = np.concatenate([np.zeros((n, 1), dtype=np.int64),
                             rng.permuted(np.tile(np.arange(1, 10), (n, 1)), axis=1)], axis=1).astype(np.int8)
    return source.reshape(n, 81), digits


def apply_symmetries(p: Positions, source: np.ndarray, digits: np.ndarray) -> Positions:
    """The positions ``p`` under the symmetries (:func:`random_symmetries`), one per row."""
    rows = np.arange(len(p))[:, None]

    def move(a: np.ndarray) -> np.ndarray:
        return np.take_along_axis(a, source, axis=1)

    return Positions(grids=digits[rows, move(p.grids)], givens=move(p.givens), solutions=digits[rows, move(p.solutions)],
                     kinds=p.kinds, guesses=p.guesses, forms=p.forms)


class PositionPool:
    """The newest ``capacity`` positions; :meth:`sample` draws uniformly, each under a random symmetry."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: Positions | None = None
        self._next = 0
        self.size = 0
        self.added = 0
        """Positions added since the start (including those pushed out)."""

    def add(self, p: Positions) -> None:
        """Append ``p`` (the oldest positions make room)."""
        if len(p) == 0:
            return
        self.added += len(p)
        if len(p) > self.capacity:
            p = p.take(np.arange(len(p) - self.capacity, len(p)))
        if self._data is None:
            self._data = Positions(*(np.zeros((self.capacity, *a.shape[1:]), dtype=a.dtype) for a in (
                p.grids, p.givens, p.solutions, p.kinds, p.guesses, p.forms)))
        where = (self._next + np.arange(len(p))) % self.capacity
        for name in ("grids", "givens", "solutions", "kinds", "guesses", "forms"):
            getattr(self._data, name)[where] = getattr(p, name)
        self._next = int(where[-1] + 1) % self.capacity
        self.size = min(self.capacity, self.size + len(p))

    def sample(self, n: int, rng: np.random.Generator) -> Positions:
        """``n`` positions drawn with replacement, each under a fresh random symmetry."""
        if self._data is None or self.size == 0:
            raise ValueError("the position pool is empty")
        picked = self._data.take(rng.integers(self.size, size=n))
        return apply_symmetries(picked, *random_symmetries(rng, n))
