"""No-limit hold'em with nested safe subgame solving: ``subgame:checkpoint=PATH,seconds=5`` on ``holdem_nolimit``.

Before round ``street`` (default 3, the river; 2 = the turn) the agent plays its blueprint like ``cfr:`` (translation
included). From then on, at each of its decisions it re-solves the rest of the hand from the current state
with real cards (:mod:`search.cfr.nl_nested`): the previous solution of the hand (or, at the first
decision, the blueprint mirrored onto real cards from the start of the street, ranges by Bayes' rule along
the real history) gives both ranges and the opponent's alternatives; the new subgame has finer raises in
the current round, coarser ones after, deals every river card as chance (a turn subgame visits
``chance_samples`` of them per iteration), and is solved by DCFR under the safe gadget, with the
opponent's estimated range weighing ``estimate`` beside it (``safe=0``: from both ranges, no gadget), for
``iters`` iterations or ``seconds`` per decision, whichever ends first (``iters=0`` plays the blueprint
throughout). ``sizes=blueprint`` re-solves with the blueprint's own raise sizes instead of the finer ones,
so the opponent's blueprint never has to translate the searcher's raises. An opponent bet that is not in the previous tree is not
translated: the next subgame starts after it.

Solutions are kept for the hand, keyed by the public history, so :meth:`hand_policy` answers the same for
the same state (local best response asks about states the hand never reaches; those solves never become
the previous solution of a real decision unless the hand really goes there).
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from agents.cfr_nolimit import NoLimitBlueprintAgent, Translation
from games.core import Game, State
from search.cfr.nl_betting import Betting, betting_of
from search.cfr.nl_hands import HoldemHands
from search.cfr.nl_mirror import blueprint_ranges, mirror
from search.cfr.nl_nested import (CARD, Event, ResolveError, ResolveSettings, SubgameTooLargeError, public_events,
                                  resolve, state_at)
from search.cfr.nl_resolve import SolverConfig, TreeStrategy
from search.cfr.nl_translate import walk_history

if TYPE_CHECKING:
    from agents.subgame import SubgameOptions


class NoLimitSubgameAgent(NoLimitBlueprintAgent):
    """The blueprint before ``street``; nested safe re-solving at every decision from then on."""

    def __init__(self, game: Game, checkpoint: str, seed: int, settings: ResolveSettings | None, street: int = 3,
                 translation: Translation = "pseudo_harmonic", cache: str = "") -> None:
        super().__init__(game, checkpoint, seed, translation, cache)
        self.settings = settings
        """How to re-solve; None plays the blueprint throughout (``iters=0``)."""
        self.street = street
        self.resolves = 0
        """Subgames solved so far (over all hands)."""
        self.solve_seconds: list[float] = []
        """Seconds of each decision that re-solved (preparation included)."""
        self.solve_iterations: list[int] = []
        """DCFR iterations of each re-solve."""
        self.too_large = 0
        """Decisions left to the blueprint because their subgame exceeded ``settings.max_nodes``."""
        self._solutions: dict[tuple[Event, ...], TreeStrategy] = {}

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        rnd = int(state.round)  # type: ignore[attr-defined]
        if rnd < self.street or self.settings is None:
            return super().hand_policy(state)
        events = public_events(state.sequences, state.board)  # type: ignore[attr-defined]
        if events not in self._solutions:
            started = time.perf_counter()
            try:
                self._solutions[events] = self._solve(state, events, started)
            except SubgameTooLargeError:  # a flop subgame with a fine abstraction: the blueprint plays
                self.too_large += 1
                return super().hand_policy(state)
            self.resolves += 1
            self.solve_seconds.append(time.perf_counter() - started)
            self.solve_iterations.append(self._solutions[events].iterations)
        solution = self._solutions[events]
        root = solution.root
        tree = solution.tree
        k = int(tree.num_children[root])
        actions = np.array([int(tree.action[tree.children[root, s]]) for s in range(k)], dtype=np.int64)
        probs = np.full((1326, k), 1.0 / k)
        probs[solution.subgame.hands.combos] = solution.strategy_at(root)
        return actions, probs

    def _solve(self, state: State, events: tuple[Event, ...], started: float) -> TreeStrategy:
        assert self.settings is not None
        betting = betting_of(state)
        me = betting.player
        prev, start = self._previous(state, events)
        hands = HoldemHands(tuple(state.board))  # type: ignore[attr-defined]
        try:
            ranges, alt = state_at(prev, events[start:], 1 - me, self.settings.solver.threads)
        except ResolveError:  # the events left the previous tree: re-solve unsafely from the blueprint's ranges
            done = len(state.sequences[state.round])  # type: ignore[attr-defined]
            ranges, alt = self._blueprint_ranges(state, done), None
        left = self.settings.solver.seconds - (time.perf_counter() - started)
        return resolve(self.rules, betting, hands, ranges, alt, self.settings, seconds_left=left)

    def _previous(self, state: State, events: tuple[Event, ...]) -> tuple[TreeStrategy, int]:
        """(the latest solution on the way to ``events``, or the mirrored blueprint at the street start; the
        number of events before its root)."""
        for cut in range(len(events) - 1, -1, -1):
            if events[:cut] in self._solutions:
                return self._solutions[events[:cut]], cut
        return self._street_mirror(state), self._street_start(events)

    @staticmethod
    def _street_start(events: tuple[Event, ...]) -> int:
        """Events before the first action of the current round (after its cards)."""
        last_card = max(i for i, (kind, _) in enumerate(events) if kind == CARD)
        return last_card + 1

    def _blueprint_ranges(self, state: State, actions_in_round: int) -> np.ndarray:
        """Both blueprint ranges [2, 1326] after this round's first ``actions_in_round`` actions."""
        rnd = int(state.round)  # type: ignore[attr-defined]
        played = state.sequences  # type: ignore[attr-defined]
        sequences = [list(s) for s in played[:rnd]] + [list(played[rnd][:actions_in_round])]
        steps, _, _ = walk_history(self.blueprint.tree, self.rules, sequences, self.translator)
        return blueprint_ranges(self.blueprint, self.source, steps, tuple(state.board))  # type: ignore[attr-defined]

    def _street_mirror(self, state: State) -> TreeStrategy:
        """The blueprint from the start of the current round on real cards, with its ranges there."""
        rnd = int(state.round)  # type: ignore[attr-defined]
        sequences = [list(s) for s in state.sequences[:rnd]] + [[]]  # type: ignore[attr-defined]
        steps, node, betting = walk_history(self.blueprint.tree, self.rules, sequences, self.translator)
        assert isinstance(betting, Betting)
        ranges = blueprint_ranges(self.blueprint, self.source, steps, tuple(state.board))  # type: ignore[attr-defined]
        hands = HoldemHands(tuple(state.board))  # type: ignore[attr-defined]
        return mirror(self.blueprint, self.source, node, betting, hands, ranges)

    def reset(self) -> None:
        super().reset()
        self._solutions.clear()



def build_nolimit(game: Game, options: SubgameOptions, seed: int) -> NoLimitSubgameAgent:
    """The agent a ``subgame:`` spec describes on a no-limit game (its no-limit fields; ``iters=0``: no search)."""
    agent = NoLimitSubgameAgent(game, options.checkpoint, seed, None, options.street, options.translation,
                                options.cache)
    if options.iters > 0:
        solver = SolverConfig(iterations=options.iters, seconds=options.seconds, threads=options.threads,
                              chance_samples=options.chance_samples, seed=seed)
        own = agent.blueprint.config.actions if options.sizes == "blueprint" else None
        agent.settings = ResolveSettings(solver=solver, safe=options.safe, estimate=options.estimate, abstraction=own)
    return agent
