"""Self-play training on Ray: workers, replay buffer, learner, the workers' network backend
(:mod:`selfplay.backend`) and shared inference actor (:mod:`selfplay.inference`), the training loop and its
CLI; what every trainer shares (:mod:`selfplay.training`); supervised pipelines in subpackages
(:mod:`selfplay.distill`, :mod:`selfplay.sudoku_train`, :mod:`selfplay.sudoku_think`,
:mod:`selfplay.leduc_value_train`)."""
