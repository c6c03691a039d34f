"""Networks: every torch module (one network per file), checkpoint I/O and the torch evaluator.

:mod:`agents.nets.core` names the contracts (``NetConfig``, ``PolicyValueNet``, ``build_network``);
:mod:`agents.nets.checkpoint` reads and writes checkpoint files; :mod:`agents.nets.evaluator` runs a
network as a :data:`search.core.Evaluator`.
"""
