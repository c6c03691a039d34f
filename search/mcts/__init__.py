"""Batched Monte Carlo tree search over flat numba arrays (AlphaZero PUCT, Gumbel root, MCTS-solver).

Public API (stable; self-play and agents build on it)::

    from search.mcts import BatchedMCTS, MCTSConfig, SearchSummary, select_action
    from search.evaluators import UniformEvaluator, RolloutEvaluator, MaterialEvaluator

    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=200, leaves_per_eval=8), evaluator, num_trees=64)
    summaries = mcts.search(states)            # one tree per state, ONE evaluator call per step for all
    mcts.advance(i, action)                    # tree reuse: the chosen child becomes tree i's root
    mcts.reset(i)                              # forget tree i (a new game starts there)

* ``evaluator`` is a :data:`search.core.Evaluator` (``(observations [B, *obs], legal_mask [B, A]) ->
  (logits [B, A], values [B])``, values for the player to move) or a
  :class:`search.evaluators.StateEvaluator` (evaluates game states directly: rollouts, chess material).
* :class:`SearchSummary` holds visit counts [A], the improved policy target [A], the root value, Q values [A],
  the recommended action, simulations, seconds and evaluator calls.
* :func:`select_action` draws a move from a summary at a temperature (0 = most visited).
* ``mcts.config`` may be replaced between searches (e.g. fast and full self-play searches); tree ``i``
  draws its noise from ``(seed, i)`` (the seed of the config it was built with), so searching trees
  together or one by one gives the same result.
* ``MCTSConfig(adaptive=True)`` lets each tree choose its own budget (:mod:`search.mcts.adaptive`): it
  stops once the most visited move cannot be overtaken, and thinks up to ``max_extend`` times longer
  while the top two moves are close; ``SearchSummary.simulations`` says what was used.
* Values are for the player to move, in [-1, 1]; one kernel serves one- and two-player games (signs flip
  by the player to move of each node, not by depth).
* Games with compiled rules (``GameSpec.compiled``, the protocol of :mod:`games.compiled`: connect
  four, chess) run whole simulations in compiled code with a uniform, rollout or heuristic (chess
  material) evaluator (:mod:`search.mcts.compiled`); with a network, compiled code collects the leaves
  and writes their observations, Python calls the evaluator once per step, compiled code expands and
  backs up. The searcher names no game. Other games (open_spiel, sudoku) and ``MCTSConfig(compiled=
  False)`` replay the selected paths through the Python State (legal moves cached per node as edges)
  while the tree operations stay compiled.
* ``mcts.request_stop()`` (from another thread) ends a running search early; the flag stays set (later
  searches end at once too) until the caller clears it: ``mcts.stop_flag[0] = 0``.
"""
from search.mcts.batched import BatchedMCTS
from search.mcts.config import MCTSConfig, MCTSConfigError, SearchSummary
from search.mcts.policy import select_action, solver_target
from search.mcts.tree import NO_PARENT, NOT_EXPANDED, UNVISITED, TreeArrays

__all__ = [
    "BatchedMCTS",
    "MCTSConfig",
    "MCTSConfigError",
    "SearchSummary",
    "select_action",
    "solver_target",
    "TreeArrays",
    "NO_PARENT",
    "NOT_EXPANDED",
    "UNVISITED",
]
