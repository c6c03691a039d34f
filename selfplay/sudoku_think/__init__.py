"""Training of the thinking sudoku network (:mod:`agents.nets.sudoku_think`): generated puzzles labelled by
the exact solver and made by Ray workers while the learner trains, recall + the progressive loss (Bansal et
al. 2022), a loss at every iteration (RRN), a halting head; ``python -m selfplay.sudoku_think``
(:mod:`selfplay.sudoku_think.train`)."""
