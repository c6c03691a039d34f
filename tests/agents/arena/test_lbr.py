"""Local best response on no-limit hold'em, and AIVAT for no-limit hands."""
from __future__ import annotations

import numpy as np
import pytest

from agents.arena.aivat_nolimit import NoLimitAivat
from agents.arena.lbr import LBRConfig, allin_ev, deal_order, lbr_action, parse_actions, run_lbr
from agents.cfr_nolimit import own_combo
from agents.core import AgentError
from agents.registry import make_agent
from games.core import InputError
from games.poker.base import CALL, FOLD
from games.registry import make_game
from tests.nolimit_blueprints import STRENGTH_GAME, strength_blueprint


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def test_lbr_against_always_fold_wins_exactly_750_mbb() -> None:
    # blinds 50/100: LBR in the big blind wins the small blind (50); in the small blind it raises and the
    # fold agent folds its big blind (100): 75 chips a hand on average, 0.75 big blinds = 750 mbb/hand
    result = run_lbr("holdem_nolimit", "fold", 12, seed=3, workers=1)
    assert result.chips == [50.0, 100.0] * 6 and result.allin_ev == result.chips  # no showdown, no change
    assert result.mbb_per_hand == 750.0 and result.to_json()["ci95_mbb_per_hand"] == [750.0, 750.0]
    assert run_lbr("holdem_nolimit", "fold", 12, seed=3, workers=2).chips == result.chips


def test_lbr_against_always_call_wins_a_lot() -> None:
    result = run_lbr("holdem_nolimit", "call", 40, seed=1, workers=1, config=LBRConfig(runouts=300))
    assert result.mbb_per_hand > 2000.0
    assert run_lbr("holdem_nolimit", "call", 40, seed=1, workers=2, config=LBRConfig(runouts=300)).chips == result.chips


def test_allin_ev_is_the_mean_over_every_runout() -> None:
    game = make_game("holdem_nolimit")
    cards = "Kc 9d 3s"  # the flop; aces against 7-2, both all-in before it
    state = game.state_from_string(f"As Ad 7h 2d r20000 c {cards} 4h 5c")
    seen = {str(c) for c in ("As", "Ad", "7h", "2d", "Kc", "9d", "3s")}
    rest = [f"{r}{s}" for r in "23456789TJQKA" for s in "cdhs" if f"{r}{s}" not in seen]
    outcomes = [game.state_from_string(f"As Ad 7h 2d r20000 c {cards} {a} {b}").returns()[0]
                for i, a in enumerate(rest) for b in rest[i + 1:]]
    assert len(outcomes) == 990
    assert allin_ev(state, 0, 3, seed=0) == pytest.approx(np.mean(outcomes), rel=1e-9)  # enumerated, exact
    assert allin_ev(state, 1, 3, seed=0) == pytest.approx(-np.mean(outcomes), rel=1e-9)
    river = game.state_from_string(f"As Ad 7h 2d r20000 c {cards} 4h 5c")
    assert allin_ev(river, 0, 5, seed=0) == river.returns()[0]  # nothing left to come: the chips
    preflop = allin_ev(state, 0, 0, seed=0)  # sampled (10,000 runouts): aces against 7-2 win about 88%
    assert 0.86 < 0.5 + preflop / 40_000.0 < 0.90


def test_lbr_allin_ev_keeps_the_mean_and_cuts_the_spread() -> None:
    result = run_lbr("holdem_nolimit", "call", 60, seed=2, workers=1, config=LBRConfig(runouts=300))
    chips, ev = np.asarray(result.chips), np.asarray(result.allin_ev)
    changed = chips != ev
    assert changed.sum() >= 10  # LBR shoves against a calling station: all-in before the river is common
    assert np.all(np.abs(chips[changed]) == 20000.0)  # only hands with both stacks in change
    assert ev.std() < 0.6 * chips.std()  # measured 7,976 against 18,064 chips
    out = result.to_json()  # (duplicate pairs already cancel some of the runout luck: the paired error falls
    lo, hi = out["ci95_allin_ev_mbb_per_hand"]  # less, 1.8x against a 4M-iteration blueprint over 200 hands)
    assert lo < out["allin_ev_mbb_per_hand"] < hi and out["allin_ev_mbb_per_hand"] > 2000.0
    luck = chips - ev  # the runout luck removed: mean zero (over 400 hands of seed 7: -523 +- 767 chips)
    assert abs(luck.mean()) < 3.0 * luck.std(ddof=1) / np.sqrt(len(luck))


def test_lbr_decisions() -> None:
    game = make_game("holdem_nolimit")
    state = game.state_from_string("7h 2d As Ad")  # LBR (the small blind) holds aces
    assert lbr_action(state, make_agent("fold", game, 0), np.ones(1326), LBRConfig(), 0) == 200 + 100
    assert lbr_action(state, make_agent("call", game, 0), np.ones(1326), LBRConfig(), 0) == 20000  # shove aces
    trash = game.state_from_string("As Ad 7h 2d c r20000")  # LBR (big blind) with 7-2 facing a shove
    assert lbr_action(trash, make_agent("call", game, 0), np.ones(1326), LBRConfig(), 0) == FOLD
    only_calls = LBRConfig(actions=parse_actions("fc"))
    assert lbr_action(state, make_agent("fold", game, 0), np.ones(1326), only_calls, 0) == CALL
    quarters = LBRConfig(actions=parse_actions("fcq"))  # three quarters of the 200-chip pot: raise to 250
    assert lbr_action(state, make_agent("fold", game, 0), np.ones(1326), quarters, 0) == 250
    every = LBRConfig(actions=parse_actions("fchqpd"))  # against a folder every raise wins 150: the smallest
    assert lbr_action(state, make_agent("fold", game, 0), np.ones(1326), every, 0) == 200
    with pytest.raises(InputError):
        LBRConfig(actions=("fx",) * 4)
    with pytest.raises(AgentError):
        run_lbr("holdem_nolimit", "random", 2)


def test_lbr_against_a_blueprint_and_the_deals_are_duplicate() -> None:
    result = run_lbr(STRENGTH_GAME, f"cfr:checkpoint={strength_blueprint()}", 6, seed=0, workers=1,
                     config=LBRConfig(runouts=200))
    assert len(result.chips) == 6 and np.isfinite(result.mbb_per_hand) and result.big_blind == 100.0
    assert np.array_equal(deal_order(5, 2), deal_order(5, 2)) and not np.array_equal(deal_order(5, 2), deal_order(5, 3))


def test_aivat_corrections_cancel_the_luck_of_blueprint_play() -> None:
    """Both players follow the value function's own blueprint: the corrected score of a hand is the
    blueprint's value at the first corrected decision, whatever cards and actions come after it."""
    game = make_game(STRENGTH_GAME)
    checkpoint = strength_blueprint()
    seats = [make_agent(f"cfr:checkpoint={checkpoint},translation=nearest", game, seed=s) for s in (0, 1)]
    scorer = NoLimitAivat(seats[0].blueprint, seats[0].source, first_round=2)
    checked = 0
    for hand in range(40):
        rng = np.random.default_rng(hand)
        state = game.new_state()
        for agent in seats:
            agent.new_game(hand)
        correction, anchor = 0.0, None
        while not state.is_terminal():
            if state.is_chance_node():
                card = int(rng.choice(state.legal_actions()))
                correction += scorer.chance(state, card)
                state.apply(card)
                continue
            agent = seats[state.current_player]
            if state.round >= 2 and anchor is None:
                anchor = scorer.value(state)
            actions, probs = agent.hand_policy(state)
            action = agent.act(state)
            correction += scorer.decision(state, actions, probs[own_combo(state)], action)
            state.apply(action)
        if anchor is not None:
            assert state.returns()[0] + correction == pytest.approx(anchor, abs=1e-6)
            checked += 1
    assert checked >= 3
