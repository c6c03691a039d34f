"""AIVAT (Burch et al. 2018) for no-limit hold'em hands between agents whose strategies can be read.

A hand's score is player 0's return plus zero-mean corrections, each the expected minus the realised value
of a value function fixed before play: here the blueprint's expected chips for the pair of hands dealt
(:func:`search.cfr.nl_value.pair_value`, both players following the blueprint from that state on,
deterministic nearest translation of the real history). Corrections are made

* at every decision in a round from ``first_round`` on (default 2, the turn): the acting agent's
  probabilities for its own hand (:meth:`~agents.core.RangeAgent.hand_policy`, read when it acts, so a
  searching agent's solve is the one it played) times the value after each of its actions, minus the value
  after the action taken;
* at the river card: the mean value over the cards that could come, minus the value after the real card.

Each correction has mean zero given the past whatever the value function, so the score stays unbiased;
the closer the blueprint values are to the real play, the more of the luck of the river card and of the
mixed actions cancels. Earlier cards and decisions are left uncorrected (their values would need the
blueprint over every turn or flop runout per hand); duplicate deals cancel most of the hole-card luck.
"""
from __future__ import annotations

import numpy as np

from games.core import State
from search.cfr.nl_betting import Betting, Outcome
from search.cfr.nl_blueprint import Blueprint
from search.cfr.nl_deals import DealSource
from search.cfr.nl_translate import translate, walk_history
from search.cfr.nl_tree import SHOWDOWN
from search.cfr.nl_value import pair_value

RIVER = 3


class NoLimitAivat:
    """Corrections for one hand at a time, valued by ``blueprint``."""

    def __init__(self, blueprint: Blueprint, source: DealSource, first_round: int = 2) -> None:
        self.blueprint = blueprint
        self.source = source
        self.rules = blueprint.config.rules()
        self.first_round = first_round
        """Decisions in this round and later are corrected."""

    def _translator(self, node: int, betting: Betting, action: int, key: tuple[int, ...]) -> int:
        return translate(self.blueprint.tree, node, betting, action, self.rules.stack, None)

    def value(self, state: State) -> float:
        """Player 0's blueprint value of ``state`` given both hands (its return at a terminal)."""
        if state.is_terminal():
            return float(state.returns()[0])
        sequences = [list(s) for s in state.sequences]  # type: ignore[attr-defined]
        _, node, betting = walk_history(self.blueprint.tree, self.rules, sequences, self._translator)
        holes = (tuple(state.hole[0]), tuple(state.hole[1]))  # type: ignore[attr-defined]
        if betting is None:  # both all-in before the river: the cards still to come decide
            spent = (int(state.spent[0]), int(state.spent[1]))  # type: ignore[attr-defined]
            betting = Outcome(SHOWDOWN, RIVER, spent, -1)
        board = tuple(state.board)  # type: ignore[attr-defined]
        return pair_value(self.blueprint, self.source, node, betting, board, holes)  # type: ignore[arg-type]

    def chance(self, state: State, card: int) -> float:
        """The correction for dealing ``card`` at chance node ``state`` (0 unless it is the river card)."""
        if len(state.board) != 4 or len(state.hole[1]) < 2:  # type: ignore[attr-defined]
            return 0.0
        cards = [int(c) for c in state.legal_actions()]
        values = {}
        for c in cards:
            after = state.copy()
            after.apply(c)
            values[c] = self.value(after)
        return float(np.mean(list(values.values()))) - values[card]

    def decision(self, state: State, actions: np.ndarray, probs: np.ndarray, action: int) -> float:
        """The correction for ``action`` at a decision where the mover's own probabilities are ``probs [k]``
        over ``actions``."""
        if int(state.round) < self.first_round:  # type: ignore[attr-defined]
            return 0.0
        expected = 0.0
        realised = 0.0
        for a, p in zip(actions, probs):
            a = int(a)
            if p <= 0.0 and a != action:
                continue
            after = state.copy()
            after.apply(a)
            v = self.value(after)
            expected += float(p) * v
            if a == action:
                realised = v
        return expected - realised
