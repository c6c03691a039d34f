"""No-limit hold'em against a second, independent implementation: pokerkit (PyPI, MIT).

pokerkit counts bets per street and lets a player fold when checking is free, so the comparison
translates: our raise-to (chips in the whole hand) = its street raise-to + chips put in on earlier
streets, and our fold is legal exactly when it has something to call. ACPC's 64-action limit of a round
is not in pokerkit; the sampler never gets near it at these stacks. pokerkit is in the ``test`` extra.
"""
from __future__ import annotations

import warnings

import numpy as np
import pokerkit
import pytest

from games.core import CHANCE
from games.poker.base import CALL, FOLD
from games.poker.cards import card_to_string
from games.poker.holdem_nolimit import HoldemNoLimitGame, HoldemNoLimitState
from games.poker.nolimit_rules import NoLimitRules
from tests.games.nolimit_oracle import sample_action

AUTOMATIONS = (
    pokerkit.Automation.ANTE_POSTING, pokerkit.Automation.BET_COLLECTION,
    pokerkit.Automation.BLIND_OR_STRADDLE_POSTING, pokerkit.Automation.CARD_BURNING,
    pokerkit.Automation.HOLE_CARDS_SHOWING_OR_MUCKING, pokerkit.Automation.HAND_KILLING,
    pokerkit.Automation.CHIPS_PUSHING, pokerkit.Automation.CHIPS_PULLING,
    pokerkit.Automation.RUNOUT_COUNT_SELECTION,
)


def _new_pokerkit(rules: NoLimitRules) -> "pokerkit.State":
    # Heads-up, pokerkit seats the big blind first: player 0 posts the big blind as in ACPC's gamedef.
    return pokerkit.NoLimitTexasHoldem.create_state(
        AUTOMATIONS, True, 0, (rules.small_blind, rules.big_blind), rules.big_blind, (rules.stack, rules.stack), 2,
        mode=pokerkit.Mode.CASH_GAME)


def _check_decision(ours: HoldemNoLimitState, theirs: "pokerkit.State") -> int:
    """Same player, fold legality, amount to call and raise bounds; returns chips put in on earlier streets."""
    player = ours.current_player
    where = f"after '{ours}'"
    assert theirs.actor_index == player, where
    earlier = ours.rules.stack - theirs.stacks[player] - theirs.bets[player]
    assert earlier + theirs.bets[player] == ours.spent[player], where
    assert theirs.checking_or_calling_amount == ours.max_spent - ours.spent[player], where
    assert (FOLD in ours.legal_actions()[:1]) == (theirs.checking_or_calling_amount > 0), where
    span = ours.raise_range()
    if span is None:
        assert not theirs.can_complete_bet_or_raise_to(), where
    else:
        assert theirs.can_complete_bet_or_raise_to(), where
        theirs_span = (theirs.min_completion_betting_or_raising_to_amount + earlier,
                       theirs.max_completion_betting_or_raising_to_amount + earlier)
        assert theirs_span == span, f"{where}: raise-to {theirs_span} there, {span} here"
    return earlier


def _play_one(game: HoldemNoLimitGame, rng: np.random.Generator) -> tuple[float, bool]:
    ours, theirs = game.new_state(), _new_pokerkit(game.rules)
    dealt: list[str] = []
    while not ours.is_terminal():
        if ours.current_player == CHANCE:
            actions, _ = ours.chance_outcomes()
            card = int(actions[rng.integers(len(actions))])
            ours.apply(card)
            dealt.append(card_to_string(card))
            if len(dealt) in (2, 4):
                theirs.deal_hole("".join(dealt[-2:]))
            elif len(dealt) in (7, 8, 9):
                theirs.deal_board("".join(dealt[4:]) if len(dealt) == 7 else dealt[-1])
            continue
        earlier = _check_decision(ours, theirs)
        action = sample_action(ours, rng)
        ours.apply(action)
        if action == FOLD:
            theirs.fold()
        elif action == CALL:
            theirs.check_or_call()
        else:
            theirs.complete_bet_or_raise_to(action - earlier)
    assert not theirs.status, f"pokerkit's hand is still running after '{ours}'"
    assert list(theirs.payoffs) == ours.returns().tolist(), f"after '{ours}': {theirs.payoffs}"
    return float(ours.returns()[0]), ours.folded < 0


@pytest.mark.parametrize("rules, hands", [(NoLimitRules(), 2000),
                                          (NoLimitRules(stack=500, small_blind=5, big_blind=10), 1000)])
def test_random_hands_match_pokerkit(rules: NoLimitRules, hands: int) -> None:
    game = HoldemNoLimitGame(rules)
    rng = np.random.default_rng(rules.stack)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pokerkit warns about burnt cards we deal and about free folds
        outcomes = [_play_one(game, rng) for _ in range(hands)]
    showdowns = sum(1 for _, shown in outcomes if shown)
    assert showdowns > hands // 3 and hands - showdowns > hands // 20
    assert sum(1 for r, shown in outcomes if shown and r == 0.0) > 0  # split pots
