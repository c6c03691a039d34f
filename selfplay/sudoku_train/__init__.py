"""Supervised training of the sudoku network on generated puzzles: positions and their labels
(:mod:`selfplay.sudoku_train.data`) and the trainer (:mod:`selfplay.sudoku_train.train`,
``python -m selfplay.sudoku_train``)."""
