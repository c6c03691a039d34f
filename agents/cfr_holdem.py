"""Limit hold'em agents: the bucketed CFR blueprint, and the blueprint with river subgame solving.

``cfr:iters=N,buckets=B`` on ``holdem_limit`` plays the blueprint of :mod:`search.cfr.holdem_blueprint`
(N sampled CFR iterations over B hand-strength buckets per round, cached on disk under
``$GAMESEARCH_CACHE/cfr``). ``subgame:blueprint=N,buckets=B,iters=M,safe=1`` plays the same blueprint
before the river and, from the first river decision of a hand, the strategy of its own combo in
the river subgame re-solved with M iterations from both players' blueprint ranges
(:mod:`search.cfr.holdem_subgame`); ``safe=1`` takes its own strategy from Burch et al.'s gadget
(robust against best responses), ``safe=0`` from the plain solve (better against the blueprint).
"""
from __future__ import annotations

import numpy as np

from agents.cfr import cache_dir
from agents.core import Agent, AgentError
from games.core import Game, State
from search.cfr.abstraction import combo_index
from search.cfr.holdem_blueprint import HoldemBlueprint, load_or_solve
from search.cfr.holdem_subgame import solve_river
from search.cfr.holdem_tree import betting_tree, node_of_sequences
from search.cfr.tree import NO_NODE

RIVER = 3


def holdem_blueprint(iters: int, buckets: int) -> HoldemBlueprint:
    """The cached blueprint (solved first if missing)."""
    return load_or_solve(cache_dir(), iters, buckets)


class HoldemBlueprintAgent(Agent):
    """Samples the blueprint's action probabilities for its hand's bucket."""

    def __init__(self, game: Game, iters: int, buckets: int, seed: int) -> None:
        self.game = game
        self.tree = betting_tree()
        self.blueprint = holdem_blueprint(iters, buckets)
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def new_game(self, seed: int) -> None:
        """Draw this game's actions from (the agent's seed, the game's seed)."""
        self.reset()
        self.rng = np.random.default_rng([self.seed, seed])

    def node(self, state: State) -> int:
        """Betting-tree node of a decision state; AgentError if there is none."""
        if state.current_player < 0:
            raise AgentError("a hold'em CFR agent acts only at a player's decision")
        node = node_of_sequences(self.tree, state.sequences)  # type: ignore[attr-defined]
        if node == NO_NODE:
            raise AgentError(f"betting {state.sequences} is not on the hold'em betting tree")  # type: ignore[attr-defined]
        return node

    def action_probs(self, state: State, node: int) -> np.ndarray:
        """float64 [legal actions] for the player to move at ``node``."""
        hole = state.hole[state.current_player]  # type: ignore[attr-defined]
        return self.blueprint.action_probs(node, self.blueprint.abstraction.bucket(hole, state.board))  # type: ignore[attr-defined]

    def act(self, state: State) -> int:
        return self.act_with_policy(state)[0]

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        node = self.node(state)
        actions = self.tree.legal_actions(node)
        probs = self.action_probs(state, node)
        probs = probs / probs.sum()
        policy = np.zeros(self.game.spec.num_actions)
        policy[actions] = probs
        return actions[int(self.rng.choice(len(actions), p=probs))], policy


class HoldemSubgameAgent(HoldemBlueprintAgent):
    """The blueprint before the river; the re-solved river subgame after."""

    def __init__(self, game: Game, iters: int, buckets: int, seed: int, subgame_iters: int, algo: str,
                 safe: bool) -> None:
        super().__init__(game, iters, buckets, seed)
        self.subgame_iters, self.algo, self.safe = subgame_iters, algo, safe
        self.resolves = 0
        """Subgames solved so far."""
        self._key: tuple | None = None
        self._solution: tuple | None = None

    def action_probs(self, state: State, node: int) -> np.ndarray:
        if int(self.tree.round[node]) != RIVER or self.subgame_iters <= 0:
            return super().action_probs(state, node)
        seqs = state.sequences  # type: ignore[attr-defined]
        start = [list(s) for s in seqs[:RIVER]] + [[]]
        key = (tuple(state.board), tuple(tuple(s) for s in start))  # type: ignore[attr-defined]
        if key != self._key:
            sub, strategy = solve_river(self.blueprint, self.tree, start, list(state.board),  # type: ignore[attr-defined]
                                        self.subgame_iters, self.algo, self.safe, defender=state.current_player)
            self._key, self._solution = key, (sub, strategy, node_of_sequences(self.tree, start))
            self.resolves += 1
        sub, strategy, root = self._solution  # type: ignore[misc]
        hole = state.hole[state.current_player]  # type: ignore[attr-defined]
        h = int(np.searchsorted(sub.combos, combo_index(hole[0], hole[1])))
        k = int(self.tree.num_children[node])
        return strategy[int(sub.decision_index[node - root]), h, :k]

    def reset(self) -> None:
        self._key, self._solution = None, None
