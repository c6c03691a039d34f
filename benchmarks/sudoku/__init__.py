"""Sudoku benchmarks: the exact solver's speed against a plain-Python baseline, hardest puzzles, solve rate
against search budget for trained networks, and a thinking network's iterations against search nodes
(``python -m benchmarks.sudoku speed|hardest|budget|think``)."""
