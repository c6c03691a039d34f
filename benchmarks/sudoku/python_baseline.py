"""The reference of the sudoku speed benchmark: a plain-Python constraint-propagation solver in the
style of Peter Norvig's "Solving Every Sudoku Puzzle" (written for this project, not copied).

What it is, so that the ratio against it means something:

* **state**: a list of 81 strings, the candidate digits of each cell; a branch copies the list;
* **propagation**: assigning a digit eliminates every other digit of the cell; eliminating a digit from a
  cell (1) assigns the last candidate when one is left (naked single) and removes it from the 20 peers,
  (2) puts the digit in its only remaining place in each of the cell's three units (hidden single); an
  empty cell or a digit without a place is a contradiction. These are the deductions of the compiled
  solver at level 2 (the benchmark runs that one at level 3, which adds locked candidates);
* **search**: depth first (recursive), on the unfilled cell with the fewest candidates, digits in
  increasing order, stopping after ``limit`` solutions.

It is plain CPython (no numpy, no compiled code) and is not slowed down on purpose: strings and list
copies are what Norvig's solver uses, and its propagation is incremental (an elimination looks only at
the three units of the cell it changed). Measured on this project's machine (CPU time): about 800
puzzles/s on generated puzzles, 390/s on ``hardest.txt``, 90/s on its 7 well-known hard puzzles --
Norvig's range. 9x9 only.
"""
from __future__ import annotations

DIGITS = "123456789"
"""Candidate characters."""


def _build_units() -> tuple[list[list[list[int]]], list[set[int]]]:
    rows = [[r * 9 + c for c in range(9)] for r in range(9)]
    cols = [[r * 9 + c for r in range(9)] for c in range(9)]
    boxes = [[(br + i) * 9 + bc + j for i in range(3) for j in range(3)] for br in (0, 3, 6) for bc in (0, 3, 6)]
    all_units = rows + cols + boxes
    units = [[u for u in all_units if cell in u] for cell in range(81)]
    peers = [set(sum(units[cell], [])) - {cell} for cell in range(81)]
    return units, peers


UNITS, PEERS = _build_units()
"""Per cell: its three units (lists of cells) and its 20 peers."""


def _assign(values: list[str], cell: int, digit: str) -> bool:
    """Keep only ``digit`` at ``cell`` by eliminating the others; False on a contradiction."""
    return all(_eliminate(values, cell, other) for other in values[cell] if other != digit)


def _eliminate(values: list[str], cell: int, digit: str) -> bool:
    """Remove ``digit`` from ``cell`` and propagate both singles rules; False on a contradiction."""
    if digit not in values[cell]:
        return True
    values[cell] = values[cell].replace(digit, "")
    left = values[cell]
    if not left:
        return False
    if len(left) == 1 and not all(_eliminate(values, peer, left) for peer in PEERS[cell]):
        return False
    for unit in UNITS[cell]:
        places = [c for c in unit if digit in values[c]]
        if not places:
            return False
        if len(places) == 1 and not _assign(values, places[0], digit):
            return False
    return True


def parse(text: str) -> list[str] | None:
    """Candidates after propagating the givens of an 81-character grid (``.``/``0`` blanks), or None."""
    values = [DIGITS] * 81
    for cell, ch in enumerate(text):
        if ch in DIGITS and not _assign(values, cell, ch):
            return None
    return values


def _search(values: list[str] | None, solutions: list[str], limit: int) -> None:
    if values is None or len(solutions) >= limit:
        return
    open_cells = [c for c in range(81) if len(values[c]) > 1]
    if not open_cells:
        solutions.append("".join(values))
        return
    cell = min(open_cells, key=lambda c: len(values[c]))
    for digit in values[cell]:
        child = list(values)
        _search(child if _assign(child, cell, digit) else None, solutions, limit)
        if len(solutions) >= limit:
            return


def solve(text: str, limit: int = 1) -> list[str]:
    """Up to ``limit`` solutions (81-character strings) of the 81-character puzzle ``text``."""
    if len(text) != 81:
        raise ValueError(f"python sudoku baseline: need 81 characters, got {len(text)}")
    solutions: list[str] = []
    _search(parse(text), solutions, limit)
    return solutions
