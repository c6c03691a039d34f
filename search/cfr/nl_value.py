"""The blueprint's value of a no-limit state for one known pair of hands (AIVAT's value function).

:func:`pair_value` is player 0's expected chips from a real betting situation on when both players follow
the blueprint, exactly as :func:`~search.cfr.nl_mirror.mirror` maps it onto real chips (pot fractions kept,
merged duplicates, check/call once the abstract hand is over), with every card still to come enumerated.
The recursion is plain Python over one pair of hands: cheap from the river (tens of nodes), a fraction
of a second from the turn (every river card), too slow before.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from games.poker.base import CALL
from games.poker.hand_eval import evaluate_cards
from games.poker.nolimit_rules import BOARD_CARDS_BY_ROUND, NoLimitRules
from search.cfr.abstraction import COMBOS, board_values, combo_index, preflop_class, strength
from search.cfr.nl_betting import Betting, Outcome
from search.cfr.nl_blueprint import Blueprint
from search.cfr.nl_buckets import all_buckets
from search.cfr.nl_deals import DealSource, StrengthDeals, TableDeals, _thresholds
from search.cfr.nl_mirror import real_groups
from search.cfr.nl_tree import DECISION, FOLD_END, NO_NODE


@dataclass
class _Buckets:
    """Bucket of each player's hand per board (cached for one evaluation)."""

    source: DealSource
    holes: tuple[tuple[int, int], tuple[int, int]]
    cache: dict[tuple[int, tuple[int, ...]], int] = field(default_factory=dict)

    def __call__(self, player: int, rnd: int, board: tuple[int, ...]) -> int:
        key = (player, board[:BOARD_CARDS_BY_ROUND[rnd]])
        if key not in self.cache:
            self.cache[key] = hand_bucket(self.source, rnd, key[1], self.holes[player])
        return self.cache[key]


def hand_bucket(source: DealSource, rnd: int, board: tuple[int, ...], hole: tuple[int, int]) -> int:
    """The blueprint bucket of one hold'em hand (the arithmetic of :func:`~search.cfr.nl_buckets.all_buckets`)."""
    if rnd == 0:
        return int(preflop_class(hole[0], hole[1]))
    if isinstance(source, TableDeals):
        return source.abstraction.bucket(hole, board)
    if isinstance(source, StrengthDeals):
        b = np.asarray(board, dtype=np.int64)
        return int(np.sum(strength(hole[0], hole[1], b, board_values(b), COMBOS) >= _thresholds(source)[rnd]))
    return int(all_buckets(source, rnd, board)[combo_index(hole[0], hole[1])])


def pair_value(blueprint: Blueprint, source: DealSource, node: int, betting: Betting | Outcome,
               board: tuple[int, ...], holes: tuple[tuple[int, int], tuple[int, int]]) -> float:
    """Player 0's expected chips from ``betting`` (abstract decision ``node``, NO_NODE once the abstract hand
    is over; or the :class:`Outcome` that ended the betting) with ``board`` dealt and hole cards ``holes``."""
    evaluator = _PairValue(blueprint, source, blueprint.config.rules(), holes)
    return evaluator.value(node, betting, tuple(board))


class _PairValue:
    def __init__(self, blueprint: Blueprint, source: DealSource, rules: NoLimitRules,
                 holes: tuple[tuple[int, int], tuple[int, int]]) -> None:
        self.tree = blueprint.tree
        self.strategy = blueprint.strategy
        self.rules = rules
        self.holes = holes
        self.bucket = _Buckets(source, holes)
        self.dead = set(holes[0]) | set(holes[1])

    def value(self, node: int, betting: Betting | Outcome, board: tuple[int, ...]) -> float:
        needed = BOARD_CARDS_BY_ROUND[betting.round] if isinstance(betting, Betting) else \
            (5 if betting.kind != FOLD_END else len(board))
        if len(board) < needed:
            cards = [c for c in range(52) if c not in self.dead and c not in board]
            return float(np.mean([self.value(node, betting, board + (c,)) for c in cards]))
        if isinstance(betting, Outcome):
            return self.terminal(betting, board)
        tree = self.tree
        if node == NO_NODE or tree.kind[node] != DECISION:
            return self.value(NO_NODE, betting.after(CALL, self.rules), board)
        q = betting.player
        k = int(tree.num_children[node])
        row = int(tree.slot[node]) + self.bucket(q, betting.round, board) * k
        probs = self.strategy[row: row + k]
        total = 0.0
        for real, slots, follow in real_groups(tree, node, betting, self.rules.stack):
            p = float(probs[slots].sum())
            if p > 0.0:
                total += p * self.value(int(tree.children[node, follow]), betting.after(real, self.rules), board)
        return total

    def terminal(self, outcome: Outcome, board: tuple[int, ...]) -> float:
        if outcome.kind == FOLD_END:
            return -float(outcome.spent[0]) if outcome.folder == 0 else float(outcome.spent[1])
        values = [evaluate_cards(np.asarray(self.holes[p] + board, dtype=np.int64)) for p in range(2)]
        if values[0] == values[1]:
            return 0.0
        return float(outcome.spent[1]) if values[0] > values[1] else -float(outcome.spent[0])
