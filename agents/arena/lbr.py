"""Local best response (Lisý & Bowling 2017) against a no-limit hold'em agent whose strategy is readable.

LBR plays hands against the agent. It tracks the agent's range over the 1,326 combos by Bayes' rule
through the agent's own strategy (:meth:`agents.core.RangeAgent.hand_policy`, asked at every agent
decision), and at each of its own decisions picks, greedily, the action with the highest utility under
the assumption that after it the hand is checked or called down:

* ``wp``: its equity against the range over the cards to come (:mod:`search.cfr.range_equity`);
* fold: 0 (chips already in are sunk); call: ``wp * pot - (1 - wp) * asked``;
* a raise adding ``b`` chips beyond the call: ``fp * pot + (1 - fp) * (wp * (pot + b) - (1 - wp) * (asked + b))``
  with ``fp`` the range's probability that the agent folds to it (the agent is asked about the state
  after the raise);
* it folds when every other action has negative utility.

The raises are the paper's: ``p`` the pot (the pot after calling; the same pot fraction 1 the
abstractions use) and ``a`` all-in, per round (``fcpa`` = fold, call, pot, all-in). Sizes the blueprint's
abstraction lacks probe its action translation: ``h`` half, ``q`` three quarters and ``d`` two pots. The result is LBR's
mean winnings in mbb/hand with a 95% interval, a lower bound on the agent's exploitability. Deals come in
duplicate pairs (hand ``2i`` and ``2i + 1`` share the cards, LBR in seat 0 then 1) and are played in
``workers`` processes (each with its own agent, built from the spec).

Variance: with 200-big-blind stacks LBR moves all-in often, and the cards dealt after an all-in decide
most of the spread (a standard deviation near 50 big blinds a hand against a blueprint). Each hand is
therefore also scored by its **all-in expected value**: when the betting closes with both players all-in
before the river, LBR scores ``spent * (2 * equity - 1)`` with its equity against the agent's actual hand
over the cards still to come, instead of the cards that came. Since no decision follows the all-in, this
replaces a random outcome by its conditional expectation: the same mean (unbiased), a smaller variance. It
is the chance term of AIVAT restricted to all-in runouts. Both figures are reported.

Sanity anchor: against ``fold`` LBR wins every blind: 1.5 big blinds per two hands, 750 mbb/hand (the
fold agent in the small blind folds at once, -0.5 BB; in the big blind it folds to LBR's raise, -1 BB).
"""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from agents.arena.stats import mean_stderr, normal_interval, pair_means
from agents.core import Agent, AgentError, RangeAgent
from agents.registry import make_agent
from games.core import Game, InputError, State
from games.poker.base import CALL, FOLD
from games.registry import make_game
from search.cfr.abstraction import COMBOS, combo_index
from search.cfr.nl_betting import betting_of, fraction_to_raise
from search.cfr.range_equity import equity

ALLIN_RUNOUTS = 10_000
"""Runouts sampled for the all-in expected value of a hand all-in before the flop (enumerated after)."""
ROUND_LETTERS = "fchqpda"
"""Action letters: fold, call (check), raises of half, three quarters, one and two pots, all-in."""
RAISE_FRACTIONS = {"h": 0.5, "q": 0.75, "p": 1.0, "d": 2.0}
"""Pot fraction of each raise letter."""


@dataclass(frozen=True)
class LBRConfig:
    """Settings of local best response."""

    actions: tuple[str, ...] = ("fcpa", "fcpa", "fcpa", "fcpa")
    """Actions LBR considers in each round (letters of ``fcpa``)."""
    runouts: int = 1200
    """Largest number of board runouts enumerated for the equity (more are sampled: before the flop)."""

    def __post_init__(self) -> None:
        if len(self.actions) != 4 or any(not set(a) <= set(ROUND_LETTERS) or "c" not in a for a in self.actions):
            raise InputError(f"LBR actions: four rounds of letters from '{ROUND_LETTERS}', each with 'c'; "
                             f"got {self.actions}")
        if self.runouts < 1:
            raise InputError("LBR runouts must be >= 1")


def parse_actions(text: str) -> tuple[str, ...]:
    """``fcpa`` (every round) or four comma-separated sets, e.g. ``fc,fcpa,fcpa,fcpa``."""
    parts = [p.strip() for p in text.split(",")]
    return tuple(parts * 4) if len(parts) == 1 else tuple(parts)


def require_range_agent(agent: Agent) -> RangeAgent:
    if not isinstance(agent, RangeAgent):
        raise AgentError(f"LBR needs an agent whose strategy it can read (cfr, subgame, call, fold, strength); "
                         f"got {type(agent).__name__}")
    return agent


def _combos_without(cards: list[int]) -> np.ndarray:
    """float64 [1326]: 1 for combos sharing no card with ``cards``."""
    hit = np.isin(COMBOS, np.asarray(cards, dtype=np.int64)).any(axis=1) if cards else np.zeros(1326, dtype=bool)
    return (~hit).astype(np.float64)


def lbr_action(state: State, agent: RangeAgent, weights: np.ndarray, config: LBRConfig, seed: int) -> int:
    """LBR's action at its decision ``state`` against ``agent`` with range ``weights [1326]``."""
    me = state.current_player
    hole = list(state.hole[me])  # type: ignore[attr-defined]
    board = list(state.board)  # type: ignore[attr-defined]
    betting = betting_of(state)
    stack = state.rules.stack  # type: ignore[attr-defined]
    weights = weights * _combos_without(hole + board)
    mass = weights.sum()
    wp = equity(hole, board, weights, config.runouts, seed) if mass > 0 else 0.5
    pot = float(sum(betting.spent))
    asked = float(betting.max_spent - betting.spent[me])
    letters = config.actions[betting.round]
    options: list[tuple[float, int]] = [(wp * pot - (1.0 - wp) * asked, CALL)]
    targets = [fraction_to_raise(RAISE_FRACTIONS[x], betting, stack) for x in letters if x in RAISE_FRACTIONS]
    if "a" in letters and betting.raise_range(stack) is not None:
        targets.append(stack)
    for target in sorted({t for t in targets if t is not None}):
        after = state.copy()
        after.apply(target)
        actions, probs = agent.hand_policy(after)
        fold = probs[:, list(actions).index(FOLD)] if FOLD in actions else np.zeros(1326)
        fp = float(np.dot(weights, fold) / mass) if mass > 0 else 0.0
        b = float(target - betting.max_spent)
        options.append((fp * pot + (1.0 - fp) * (wp * (pot + b) - (1.0 - wp) * (asked + b)), target))
    best, action = max(options, key=lambda o: o[0])
    if betting.facing_bet() and "f" in letters and best < 0.0:
        return FOLD
    return action


def deal_order(seed: int, pair: int) -> np.ndarray:
    """The deck order of duplicate pair ``pair`` (chance deals the first cards still available)."""
    return np.random.default_rng(np.random.SeedSequence([seed, pair])).permutation(52)


def allin_ev(state: State, lbr_seat: int, board_cards: int, seed: int) -> float:
    """LBR's expected chips at the showdown ``state`` over the board cards dealt after the betting closed
    with ``board_cards`` on the board (both all-in): ``spent * (2 * equity - 1)`` with LBR's equity against
    the agent's actual hand (enumerated from the flop on, :data:`ALLIN_RUNOUTS` sampled before it)."""
    hole = list(state.hole[lbr_seat])  # type: ignore[attr-defined]
    other = state.hole[1 - lbr_seat]  # type: ignore[attr-defined]
    weights = np.zeros(1326)
    weights[combo_index(other[0], other[1])] = 1.0
    board = list(state.board)[:board_cards]  # type: ignore[attr-defined]
    spent = float(state.spent[lbr_seat])  # type: ignore[attr-defined]  # both spent the same at a showdown
    return spent * (2.0 * equity(hole, board, weights, ALLIN_RUNOUTS, seed) - 1.0)


def play_hand(game: Game, agent: RangeAgent, lbr_seat: int, deck: np.ndarray, config: LBRConfig,
              seed: int) -> tuple[float, float]:
    """LBR's chips in one hand, LBR in seat ``lbr_seat``, cards dealt in ``deck`` order, and its all-in
    expected value: the same, except that a hand whose betting closed all-in before the river scores
    LBR's expectation over the cards still to come (:func:`allin_ev`) instead of the cards that came."""
    agent.new_game(seed)  # type: ignore[attr-defined]  # the agent's randomness depends on the hand only
    state = game.new_state()
    weights = np.ones(1326)
    position = 0
    board_at_last_action = 0
    while not state.is_terminal():
        if not state.is_chance_node():
            board_at_last_action = len(state.board)  # type: ignore[attr-defined]
        if state.is_chance_node():
            legal = set(int(a) for a in state.legal_actions())
            while int(deck[position]) not in legal:
                position += 1
            state.apply(int(deck[position]))
            continue
        if state.current_player == lbr_seat:
            state.apply(lbr_action(state, agent, weights, config, seed))
            continue
        actions, probs = agent.hand_policy(state)
        action = agent.act(state)  # type: ignore[attr-defined]
        column = list(int(a) for a in actions)
        if action not in column:
            raise AgentError(f"agent played {action}, outside its own policy {column}")
        weights = weights * probs[:, column.index(action)]
        state.apply(action)
    chips = float(state.returns()[lbr_seat])
    showdown = state.folded < 0  # type: ignore[attr-defined]
    if showdown and board_at_last_action < 5:
        return chips, allin_ev(state, lbr_seat, board_at_last_action, seed)
    return chips, chips


def play_hands(game_name: str, spec: str, first: int, count: int, seed: int, config: LBRConfig,
               threads: int = 0) -> tuple[list[float], list[float]]:
    """LBR's chips and all-in expected values in hands ``first .. first + count - 1`` (hand ``i``: pair
    ``i // 2``, LBR in seat ``i % 2``)."""
    if threads:
        import numba

        numba.set_num_threads(threads)
    game = make_game(game_name)
    agent = require_range_agent(make_agent(spec, game, seed=seed))
    try:
        played = [play_hand(game, agent, i % 2, deal_order(seed, i // 2), config, seed + i)
                  for i in range(first, first + count)]
        return [p[0] for p in played], [p[1] for p in played]
    finally:
        agent.close()


@dataclass(frozen=True)
class LBRResult:
    """LBR's winnings against an agent."""

    game: str
    spec: str
    hands: int
    chips: list[float]
    """LBR's chips in each hand, in hand order."""
    allin_ev: list[float]
    """LBR's all-in expected value in each hand (:func:`play_hand`): the same mean, less luck."""
    big_blind: float
    seconds: float
    workers: int

    @property
    def mbb_per_hand(self) -> float:
        return 1000.0 * float(np.mean(self.chips)) / self.big_blind

    @property
    def stderr_mbb(self) -> float:
        return paired_stderr_mbb(self.chips, self.big_blind)

    def to_json(self) -> dict[str, Any]:
        lo, hi = normal_interval(self.mbb_per_hand, self.stderr_mbb)
        ev_mean = 1000.0 * float(np.mean(self.allin_ev)) / self.big_blind
        ev_stderr = paired_stderr_mbb(self.allin_ev, self.big_blind)
        out = {k: v for k, v in asdict(self).items() if k not in ("chips", "allin_ev")}
        return {**out, "mbb_per_hand": self.mbb_per_hand, "ci95_mbb_per_hand": [lo, hi],
                "stderr_mbb_per_hand": self.stderr_mbb, "allin_ev_mbb_per_hand": ev_mean,
                "ci95_allin_ev_mbb_per_hand": list(normal_interval(ev_mean, ev_stderr)),
                "stderr_allin_ev_mbb_per_hand": ev_stderr}


def paired_stderr_mbb(values: list[float], big_blind: float) -> float:
    """Standard error in mbb of the mean of per-hand chips, duplicate pairs of seats as units."""
    return 1000.0 * mean_stderr(pair_means(values)) / big_blind


def run_lbr(game_name: str, spec: str, hands: int, seed: int = 0, workers: int = 1,
            config: LBRConfig | None = None) -> LBRResult:
    """LBR against the agent ``spec`` over ``hands`` hands, split among ``workers`` processes (numba one
    thread each when more than one)."""
    config = config or LBRConfig()
    if hands < 2:
        raise InputError(f"LBR needs at least 2 hands (one duplicate pair); got {hands}")
    game = make_game(game_name)
    if not game.spec.name.startswith("holdem_nolimit"):
        raise InputError(f"LBR plays holdem_nolimit; not {game.spec.name}")
    start = time.perf_counter()
    workers = max(1, min(workers, hands // 2))
    if workers == 1:
        chips, ev = play_hands(game_name, spec, 0, hands, seed, config)
    else:
        bounds = np.linspace(0, hands // 2, workers + 1).astype(int) * 2
        bounds[-1] = hands
        context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                              else "spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = [pool.submit(play_hands, game_name, spec, int(lo), int(hi - lo), seed, config, 1)
                     for lo, hi in zip(bounds[:-1], bounds[1:])]
            results = [part.result() for part in parts]
            chips = [c for got in results for c in got[0]]
            ev = [c for got in results for c in got[1]]
    big_blind = float(game.rules.big_blind)  # type: ignore[attr-defined]
    return LBRResult(game.spec.name, spec, hands, chips, ev, big_blind, time.perf_counter() - start, workers)
