"""Sudoku benchmarks: the exact solver's speed against a plain-Python baseline, hardest puzzles, and solve
rate against search budget for trained networks (``python -m benchmarks.sudoku speed|hardest|budget``)."""
