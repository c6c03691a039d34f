"""Sudoku grids as text and arrays: parsing, rule checks, uniqueness checks and answer checking.

Text form: one character per cell in row-major order; ``.`` or ``0`` is a blank. 9x9 grids are 81
characters of ``1-9``; 16x16 grids are 256 characters of ``1-9`` then ``A-G`` for 10..16 (lower case
accepted). Whitespace inside the text is ignored. Output always uses ``.`` for blanks.

Errors are :class:`SudokuInputError` subclasses with a one-line message: :class:`GridFormatError`
(length, characters), :class:`DuplicateDigitError` (names the row, column or box),
:class:`NoSolutionError` and :class:`MultipleSolutionsError`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from games.core import StateParseError
from games.sudoku.dfs import NUM_STATS, STAT_ABORTED, dfs_solve
from games.sudoku.kernels import build_tables, first_bad_row, first_duplicate

DIGIT_CHARS = "123456789ABCDEFG"
"""Character of digit ``d`` is ``DIGIT_CHARS[d - 1]``."""
BLANK_CHARS = ".0"
"""Characters read as a blank."""
_CHAR_VALUE = np.full(256, -1, dtype=np.int8)
"""Value of each byte in the text form: 0 for a blank, 1..16 for a digit, -1 for anything else."""
for _i, _ch in enumerate(DIGIT_CHARS):
    _CHAR_VALUE[ord(_ch)] = _CHAR_VALUE[ord(_ch.lower())] = _i + 1
for _ch in BLANK_CHARS:
    _CHAR_VALUE[ord(_ch)] = 0
_TEXT_OF_VALUE = np.frombuffer(("." + DIGIT_CHARS).encode("ascii"), dtype=np.uint8)
"""Byte of each cell value in the text form: ``.`` for 0, then the digit characters."""
UNIQUENESS_MAX_NODES = 2_000_000
"""Node budget of the uniqueness check in :func:`parse_puzzle` (never reached by 9x9 puzzles)."""


class SudokuInputError(StateParseError):
    """A sudoku grid that cannot be used (one line naming the problem)."""


class GridFormatError(SudokuInputError):
    """Wrong length or characters other than digits and blanks."""


class DuplicateDigitError(SudokuInputError):
    """A digit repeated in a row, column or box."""


class NoSolutionError(SudokuInputError):
    """A puzzle without any solution."""


class MultipleSolutionsError(SudokuInputError):
    """A puzzle with more than one solution."""


@lru_cache(maxsize=None)
def tables(box: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cached :func:`games.sudoku.kernels.build_tables` for box size ``box`` (3 or 4)."""
    return build_tables(box)


def box_size(num_cells: int) -> int:
    """Box size of a grid of ``num_cells`` cells (81 -> 3, 256 -> 4); GridFormatError otherwise."""
    for box in (3, 4):
        if num_cells == box ** 4:
            return box
    raise GridFormatError(f"sudoku: a grid has 81 (9x9) or 256 (16x16) cells, got {num_cells}")


def parse_grid(text: str, size: int | None = 9) -> np.ndarray:
    """Read text into an int8 [n*n] grid and check the rules (no digit twice in a row/column/box).

    Args:
        text: the grid (see the module docstring). size: 9 or 16 to require that size; None accepts both.
    Raises:
        GridFormatError, DuplicateDigitError.
    """
    plain = _parse_plain(text, size)
    if plain is not None:
        return plain
    chars = "".join(text.split())
    if size is None:
        box = box_size(len(chars))
    else:
        box = 3 if size == 9 else 4
        if len(chars) != box ** 4:
            raise GridFormatError(f"sudoku: a {size}x{size} grid needs {box ** 4} characters, got {len(chars)}")
    n = box * box
    codes = np.frombuffer(chars.encode("utf-8", "replace"), dtype=np.uint8)
    if codes.shape[0] != len(chars):  # non-ASCII characters
        bad = next(i for i, ch in enumerate(chars) if ord(ch) > 127)
        raise GridFormatError(f"sudoku: bad character {chars[bad]!r} at position {bad + 1}")
    grid = _CHAR_VALUE[codes]
    wrong = np.flatnonzero((grid < 0) | (grid > n))
    if len(wrong):
        i = int(wrong[0])
        allowed = DIGIT_CHARS[:n]
        raise GridFormatError(f"sudoku: bad character {chars[i]!r} at position {i + 1} "
                              f"(expected {allowed[0]}-{allowed[-1]}, '.' or '0')")
    check_rules(grid)
    return grid


def _parse_plain(text: str, size: int | None) -> np.ndarray | None:
    """The grid of a valid text of exactly ``n*n`` characters (the common case: one array lookup and one
    compiled check), or None for anything else (whitespace, bad characters, wrong length, a digit twice:
    :func:`parse_grid` then says why)."""
    box = {81: 3, 256: 4}.get(len(text))
    if box is None or (size is not None and size != box * box) or not text.isascii():
        return None
    grid = _CHAR_VALUE[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    if first_bad_row(grid.reshape(1, -1), tables(box)[1]) >= 0:
        return None
    return grid


def parse_grids(texts: list[str], size: int | None = 9) -> np.ndarray:
    """Read many grids of one size into int8 [B, n*n], checked as :func:`parse_grid` checks each.

    Grids of exactly ``n*n`` ASCII characters are converted all at once (one array operation and one
    compiled rule check for the batch); anything else, or any error, goes through :func:`parse_grid`
    text by text, so the errors are the same. Raises GridFormatError, DuplicateDigitError.
    """
    if not texts:
        return np.zeros((0, 81 if size in (9, None) else 256), dtype=np.int8)
    cells = len(texts[0])
    box = {81: 3, 256: 4}.get(cells)
    if box is not None and (size is None or size == box * box) and all(len(t) == cells for t in texts):
        try:
            codes = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).reshape(len(texts), cells)
        except UnicodeEncodeError:
            codes = None
        if codes is not None:
            grids = _CHAR_VALUE[codes]
            if first_bad_row(grids, tables(box)[1]) < 0:
                return grids
    return np.stack([parse_grid(t, size) for t in texts])


def check_rules(grid: np.ndarray) -> None:
    """Raise DuplicateDigitError naming the first row, column or box holding a digit twice."""
    box = box_size(grid.shape[0])
    n = box * box
    units = tables(box)[1]
    unit, digit = first_duplicate(np.ascontiguousarray(grid, dtype=np.int8), units)
    if unit >= 0:
        kind = ("row", "column", "box")[unit // n]
        raise DuplicateDigitError(f"sudoku: digit {DIGIT_CHARS[digit - 1]} appears twice in {kind} {unit % n + 1}")


def format_grid(grid: np.ndarray) -> str:
    """The text form of an int8 [n*n] grid (values 0..16), ``.`` for blanks."""
    return _TEXT_OF_VALUE[grid].tobytes().decode("ascii")


def count_solutions(grid: np.ndarray, limit: int = 2, level: int = 3,
                    max_nodes: int = UNIQUENESS_MAX_NODES) -> tuple[int, np.ndarray]:
    """(number of solutions up to ``limit``, first solution int8 [n*n] or zeros); -1 if the budget ran out."""
    peers, units, inter, box_rest, line_rest = tables(box_size(grid.shape[0]))
    solution = np.zeros_like(grid)
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    rng = np.zeros(1, dtype=np.uint64)
    count = dfs_solve(np.ascontiguousarray(grid, dtype=np.int8), level, limit, max_nodes, rng, solution, stats,
                      peers, units, inter, box_rest, line_rest)
    if stats[STAT_ABORTED] and count < limit:
        return -1, solution
    return int(count), solution


def parse_puzzle(text: str, size: int | None = 9) -> tuple[np.ndarray, np.ndarray]:
    """Read a puzzle that must have exactly one solution; returns (puzzle, solution), int8 [n*n] each.

    Raises:
        GridFormatError, DuplicateDigitError, NoSolutionError, MultipleSolutionsError.
    """
    grid = parse_grid(text, size)
    count, solution = count_solutions(grid)
    if count == 0:
        raise NoSolutionError(f"sudoku: puzzle {format_grid(grid)[:32]}... has no solution")
    if count == 2:
        raise MultipleSolutionsError(f"sudoku: puzzle {format_grid(grid)[:32]}... has more than one solution")
    if count < 0:
        raise MultipleSolutionsError(f"sudoku: puzzle {format_grid(grid)[:32]}... is too open to check "
                                     "uniqueness within the node budget")
    return grid, solution


def check_answer(puzzle: np.ndarray, answer: np.ndarray) -> str | None:
    """Why ``answer`` does not solve ``puzzle`` (both int8 [n*n]), or None if it does.

    A valid answer is full, keeps every given and breaks no rule.
    """
    if answer.shape != puzzle.shape:
        return f"answer has {answer.shape[0]} cells, puzzle {puzzle.shape[0]}"
    n = int(round(puzzle.shape[0] ** 0.5))
    if np.any(answer < 1) or np.any(answer > n):
        return "answer is not full"
    changed = np.flatnonzero((puzzle > 0) & (puzzle != answer))
    if len(changed):
        r, c = divmod(int(changed[0]), n)
        return f"answer changes the given at r{r + 1}c{c + 1}"
    try:
        check_rules(answer)
    except DuplicateDigitError as err:
        return str(err).removeprefix("sudoku: ")
    return None


def read_puzzle_lines(lines: list[str], size: int | None = 9) -> list[str]:
    """Puzzle strings from lines (blank lines and ``#`` comments skipped); each checked by
    :func:`parse_puzzle`, errors prefixed with ``line N``."""
    puzzles = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            grid, _ = parse_puzzle(text, size)
        except SudokuInputError as err:
            raise type(err)(f"line {number}: {err}") from None
        puzzles.append(format_grid(grid))
    return puzzles
