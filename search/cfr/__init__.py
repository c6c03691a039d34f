"""The CFR family on public poker trees (Kuhn, Leduc): solvers, exact best response, export, subgame solving.

Limit hold'em lives in its own modules (imported on demand, they compile more): :mod:`.holdem_tree`
(betting tree), :mod:`.abstraction` (hand-strength buckets), :mod:`.holdem_blueprint` (chance-sampled
CFR blueprint, disk cache) and :mod:`.holdem_subgame` (river re-solving).

No-limit hold'em (imported on demand): :mod:`.nl_tree` (action abstraction, abstract betting tree),
:mod:`.card_abstraction` (lossless preflop, k-means equity-distribution buckets, cached on disk; built from
:mod:`.suit_iso`, :mod:`.equity`, :mod:`.card_features`, :mod:`.kmeans`), :mod:`.nl_deals` (deal sources),
:mod:`.mccfr` (external-sampling MCCFR with pruning), :mod:`.nl_eval` (head-to-head, exact exploitability
of small games), :mod:`.nl_config` and :mod:`.nl_blueprint` (training runs, checkpoints, metrics; the
command line is ``python -m selfplay.nolimit_blueprint``).

Real-time search in no-limit hold'em (imported on demand): :mod:`.nl_betting` (betting situations, trees
grown from real states), :mod:`.nl_hands` (the 1,326 real hands, or Kuhn cards), :mod:`.nl_solve_tree`
(the tree with chance cards and the safe gadget), :mod:`.nl_resolve_kernels` and :mod:`.nl_resolve`
(vectorised DCFR, expected and best-response values), :mod:`.nl_translate` (pseudo-harmonic action
translation), :mod:`.nl_buckets` and :mod:`.nl_mirror` (the blueprint on real cards: ranges, mapped
subtrees), :mod:`.nl_nested` (nested safe re-solving), :mod:`.nl_value` (blueprint values of one pair of
hands, for AIVAT) and :mod:`.range_equity` (equity against a range, for LBR).
"""
from search.cfr.infostate import export_policy, information_state_string, load_policy, node_from_history, policy_table
from search.cfr.resolve import ResolveConfig, Resolver, ResolveStats, resolved_strategy
from search.cfr.solver import (ALGORITHMS, CFRConfig, CFRSolver, UnknownAlgorithmError, expected_value,
                               exploitability, mbb_per_hand, nash_conv, uniform_strategy)
from search.cfr.tree import KUHN, LEDUC, RULES, LimitPokerRules, PublicTree, build_tree, game_tree

__all__ = [
    "ALGORITHMS", "CFRConfig", "CFRSolver", "KUHN", "LEDUC", "LimitPokerRules", "PublicTree", "RULES",
    "ResolveConfig", "ResolveStats", "Resolver", "UnknownAlgorithmError", "build_tree", "expected_value",
    "exploitability", "export_policy", "game_tree", "information_state_string", "load_policy", "mbb_per_hand",
    "nash_conv", "node_from_history", "policy_table", "resolved_strategy", "uniform_strategy",
]
