"""Test helper for no-limit hold'em: an action sampler that stresses the raise bounds, and a side-by-side
replay against open_spiel's ``universal_poker`` (fullgame betting) comparing every node."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyspiel

from games.core import CHANCE
from games.poker.base import CALL, FOLD
from games.poker.holdem_nolimit import HoldemNoLimitGame, HoldemNoLimitState


@dataclass
class OracleStats:
    """What a batch of compared hands covered, so tests can check they reached the hard cases."""

    hands: int = 0
    decisions: int = 0
    folds: int = 0
    showdowns: int = 0
    all_in_showdowns: int = 0
    min_raises: int = 0
    all_ins: int = 0
    short_all_ins: int = 0
    """All-in raises below the smallest full raise (only the all-in was legal)."""
    capped_rounds: int = 0
    """Decisions where the ACPC 64-action limit forbade raising."""
    split_pots: int = 0
    returns: list[float] = field(default_factory=list)


def sample_action(state: HoldemNoLimitState, rng: np.random.Generator) -> int:
    """A random legal action, favouring the raise bounds: fold 10%, call 40%, else a raise that is the
    smallest (40%), the smallest + 1, the all-in, the all-in - 1 (10% each) or uniform (30%)."""
    span = state.raise_range()
    can_fold = state.spent[state.current_player] < state.max_spent
    u = rng.random()
    if can_fold and u < 0.1:
        return FOLD
    if span is None or u < 0.5:
        return CALL
    lo, hi = span
    v = rng.random()
    if v < 0.4:
        return lo
    if v < 0.5:
        return min(lo + 1, hi)
    if v < 0.6:
        return hi
    if v < 0.7:
        return max(hi - 1, lo)
    return int(rng.integers(lo, hi + 1))


def compare_with_openspiel(game: HoldemNoLimitGame, num_hands: int, seed: int,
                           min_raise_bias: float = 0.0, strings_at_chance_hands: int = 1000) -> OracleStats:
    """Play ``num_hands`` seeded hands in both implementations, asserting at every node the same player,
    legal actions (the whole mask, every raise size), chance outcomes, information-state strings of both
    players (pot, money, cards, betting) and, at the end, the same returns. ``min_raise_bias``: extra
    probability of a smallest raise, to reach the 64-action limit of a round. Information states are
    compared at chance nodes in the first ``strings_at_chance_hands`` hands only (they change there only by
    the card dealt), at every other node in every hand."""
    os_game = pyspiel.load_game(game.rules.openspiel_game_string())
    assert os_game.num_distinct_actions() == game.spec.num_actions
    rng = np.random.default_rng(seed)
    stats = OracleStats()
    for _ in range(num_hands):
        ours, theirs = game.new_state(), os_game.new_initial_state()
        while True:
            where = f"after '{ours}'"
            player = ours.current_player
            assert player == theirs.current_player(), where
            if player != CHANCE or stats.hands < strings_at_chance_hands:
                for p in range(2):
                    assert ours.information_state_string(p) == theirs.information_state_string(p), where
            if ours.is_terminal():
                assert theirs.is_terminal(), where
                returns = ours.returns()
                assert returns.tolist() == theirs.returns(), where
                _count_end(ours, returns, stats)
                break
            if player == CHANCE:
                actions, probs = ours.chance_outcomes()
                outcomes = theirs.chance_outcomes()
                assert [a for a, _ in outcomes] == actions.tolist(), where
                assert max(abs(p - q) for (_, p), q in zip(outcomes, probs.tolist())) < 1e-15, where
                action = int(actions[rng.integers(len(actions))])
            else:
                _assert_same_legal_actions(ours, theirs.legal_actions_mask(), where)
                action = _pick(ours, rng, min_raise_bias)
                _count_decision(ours, action, stats)
            ours.apply(action)
            theirs.apply_action(action)
        stats.hands += 1
    return stats


def _assert_same_legal_actions(ours: HoldemNoLimitState, mask: list[int], where: str) -> None:
    """open_spiel's legal-action mask has ones exactly at our legal actions (every raise size included).

    Our raises are one range ``[lo, stack]``; the mask has ones at the same fold/call entries, its first
    raise entry at ``lo``, no entry past ``stack`` (its length is ``stack + 1``) and as many ones as
    ours, so every entry of the range is set: the comparison is exact without a Python loop over ~20,000
    entries."""
    legal = ours.legal_actions()
    assert len(mask) == ours.rules.stack + 1, where
    assert mask.count(1) == len(legal), f"{where}: {mask.count(1)} legal actions in open_spiel, {len(legal)} here"
    assert [mask[FOLD], mask[CALL]] == [int(FOLD in legal[:2]), int(CALL in legal[:2])], f"{where}: fold/call differ"
    raises = legal[legal > CALL]
    if len(raises):
        lo, hi = int(raises[0]), int(raises[-1])
        assert hi == ours.rules.stack and len(raises) == hi - lo + 1, f"{where}: our raises are not [lo, stack]"
        assert mask.index(1, CALL + 1) == lo, f"{where}: smallest raise {mask.index(1, CALL + 1)} there, {lo} here"


def _pick(state: HoldemNoLimitState, rng: np.random.Generator, min_raise_bias: float) -> int:
    span = state.raise_range()
    if span is not None and rng.random() < min_raise_bias:
        return span[0]
    return sample_action(state, rng)


def _count_decision(state: HoldemNoLimitState, action: int, stats: OracleStats) -> None:
    stats.decisions += 1
    span = state.raise_range()
    if span is None and state.max_spent < state.rules.stack:
        stats.capped_rounds += 1
    if span is None or action <= CALL:
        return
    stats.min_raises += action == span[0] and span[0] < span[1]
    stats.all_ins += action == span[1]
    stats.short_all_ins += span[0] == span[1] and state.min_raise_to > span[1]


def _count_end(state: HoldemNoLimitState, returns: np.ndarray, stats: OracleStats) -> None:
    stats.returns.append(float(returns[0]))
    if state.folded >= 0:
        stats.folds += 1
        return
    stats.showdowns += 1
    stats.split_pots += returns[0] == 0.0
    stats.all_in_showdowns += state.max_spent == state.rules.stack
