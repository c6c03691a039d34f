"""The subgame-solving agent ``subgame:blueprint=30,iters=1000,depth=0,leaf=blueprint,safe=1``.

``leaf=net:PATH`` (Leduc, ``horizon=round``): the round-1 subgames' leaves (the board deal) are valued
every ``leaf_every`` iterations by a value network over public belief states
(:mod:`agents.nets.leduc_value`, trained by ``python -m selfplay.leduc_value_train``) from the ranges the
subgame's strategy reaches them with, instead of by the blueprint's continuation values.

On top of a cached CFR blueprint it re-solves subgames (after the blueprint's first ``first``
actions: at the start of every betting round, every ``depth`` actions, or at every decision with
``every=1``) from both players' ranges under the strategy played so far, to the end of the hand
(``horizon=game``) or of the round with blueprint-valued leaves (``horizon=round``); ``safe=1`` keeps
only re-solved strategies that pass the safety check (see :mod:`search.cfr.resolve`). Solved
subgames are kept for the agent's life: the composed strategy is a function of the public state,
so later hands reuse them.

On ``holdem_nolimit`` the agent is :mod:`agents.subgame_nolimit` (nested safe subgame solving with real
cards from the river on by default, ``subgame:checkpoint=PATH,seconds=5``; ``street=2`` from the turn).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from agents.cfr import HOLDEM, Algo, TabularPokerAgent, blueprint, poker_tree
from agents.core import Agent, AgentKind
from games.core import Game, UnsupportedGameError
from search.cfr import PublicTree, ResolveConfig, Resolver
from search.cfr.leaf_solve import LeafFn


@dataclass(frozen=True)
class SubgameOptions:
    """Options of the ``subgame`` agent."""

    blueprint: int = 100
    """Iterations of the blueprint solve (cached on disk like the ``cfr`` agent's)."""
    blueprint_algo: Algo = "dcfr"
    """CFR variant of the blueprint."""
    iters: int = 1000
    """Iterations per re-solved subgame (0 = play the blueprint)."""
    algo: Algo = "dcfr"
    """CFR variant for the subgames."""
    depth: int = 0
    """Actions per subgame before blueprint-valued leaves; 0 = to the horizon."""
    horizon: Literal["round", "game"] = "game"
    """Subgames end at the end of the betting round (blueprint-valued leaves) or of the hand."""
    every: bool = False
    """Re-solve at every decision (continual re-solving), not only at round starts and depth steps."""
    first: int = 1
    """Player actions the blueprint plays before the first re-solve point."""
    leaf: str = "blueprint"
    """Leaf values: ``blueprint`` (its continuation values) or ``net:PATH`` (a leaf value network checkpoint)."""
    leaf_every: int = 1
    """With ``leaf=net:PATH``: solver iterations between two evaluations of the leaves."""
    lookahead: bool = False
    """Safe depth-limited re-solving judges candidates with the next subgames re-solved below their leaves."""
    safe: bool = True
    """Safe re-solving (never more exploitable than the blueprint); 0 = unsafe, for comparison."""
    buckets: int = 8
    """holdem_limit: hand-strength buckets per round of the blueprint's card abstraction."""
    checkpoint: str = ""
    """holdem_nolimit: the blueprint checkpoint (.npz; default models/nolimit/blueprint.npz)."""
    seconds: float = 5.0
    """holdem_nolimit: time limit per decision (0 = none; ``iters`` bounds the iterations as well)."""
    street: int = 3
    """holdem_nolimit: first betting round that is re-solved (3 = river; 2 = turn, slower and at 5 s still
    far from converged: measured losing to the blueprint, docs/results/nolimit; 1 = flop, slow)."""
    estimate: float = 0.05
    """holdem_nolimit: weight of the opponent's estimated range beside the safe gadget (0 = the gadget alone;
    see :class:`search.cfr.nl_nested.ResolveSettings`)."""
    sizes: Literal["fine", "blueprint"] = "fine"
    """holdem_nolimit: raise sizes of the re-solved subgames: ``fine`` (more sizes in the current round, see
    :class:`search.cfr.nl_nested.ResolveSettings`) or ``blueprint`` (the blueprint's own abstraction)."""
    chance_samples: int = 12
    """holdem_nolimit: river cards a turn subgame visits per iteration (0 = all)."""
    threads: int = 2
    """holdem_nolimit: numba threads of the solver."""
    translation: Literal["pseudo_harmonic", "nearest"] = "pseudo_harmonic"
    """holdem_nolimit: action translation while the blueprint plays."""
    cache: str = ""
    """holdem_nolimit: card-abstraction cache folder (default $GAMESEARCH_CACHE/poker)."""

    def __post_init__(self) -> None:
        if self.blueprint < 1:
            raise ValueError(f"blueprint must be >= 1; got {self.blueprint}")
        if self.iters < 0 or self.depth < 0 or self.first < 0:
            raise ValueError("iters, depth and first must be >= 0")
        if self.leaf != "blueprint" and not (self.leaf.startswith("net:") and len(self.leaf) > 4):
            raise ValueError(f"leaf must be 'blueprint' or 'net:PATH'; got '{self.leaf}'")
        if self.leaf != "blueprint" and (self.horizon != "round" or self.depth != 0):
            raise ValueError("leaf=net:PATH values the end of the betting round: it needs horizon=round and depth=0")
        if self.leaf_every < 1:
            raise ValueError(f"leaf_every must be >= 1; got {self.leaf_every}")
        if self.seconds < 0 or not 1 <= self.street <= 3 or self.chance_samples < 0 or self.threads < 1:
            raise ValueError("seconds and chance_samples must be >= 0, street 1..3 and threads >= 1")
        if self.sizes not in ("fine", "blueprint"):
            raise ValueError(f"sizes must be fine or blueprint; got '{self.sizes}'")
        if not 0.0 <= self.estimate < float("inf"):
            raise ValueError(f"estimate must be a finite number >= 0; got {self.estimate}")

    @property
    def net_path(self) -> str | None:
        """The leaf network checkpoint, or None for blueprint leaves."""
        return self.leaf[4:] if self.leaf.startswith("net:") else None


class SubgameAgent(TabularPokerAgent):
    """Plays the strategy composed by re-solving subgames over the blueprint."""

    def __init__(self, game: Game, options: SubgameOptions, seed: int) -> None:
        super().__init__(game, poker_tree(game), seed)
        bp = blueprint(self.tree.rules.name, options.blueprint_algo, options.blueprint)
        config = ResolveConfig(iterations=options.iters, algo=options.algo, depth=options.depth, safe=options.safe,
                               horizon=options.horizon, every=options.every, first=options.first,
                               leaf_every=options.leaf_every, lookahead=options.lookahead)
        self.resolver = Resolver(self.tree, bp, config, leaf_fn=leaf_function(options.net_path, self.tree))

    def strategy_at(self, node: int) -> np.ndarray:
        return self.resolver.strategy_at(node)

    def full_strategy(self) -> np.ndarray:
        return self.resolver.resolve_all()

    def blueprint_strategy(self) -> np.ndarray:
        return self.resolver.blueprint


def leaf_function(net_path: str | None, tree: PublicTree) -> LeafFn | None:
    """The leaf value network at ``net_path`` as a leaf function on ``tree`` (None: blueprint leaves)."""
    if net_path is None:
        return None
    from agents.nets.leduc_value import NetLeafValues, load_leaf_net

    if tree.rules.name != "leduc_poker":
        raise UnsupportedGameError(f"leaf=net:PATH is for leduc_poker; not {tree.rules.name}")
    model, _ = load_leaf_net(net_path)
    return NetLeafValues(model, tree)


def _build(game: Game, options: SubgameOptions, seed: int) -> Agent:
    if game.spec.name.startswith("holdem_nolimit"):
        from agents.subgame_nolimit import build_nolimit

        return build_nolimit(game, options, seed)
    if game.spec.name == HOLDEM:
        if options.net_path is not None:
            raise UnsupportedGameError("leaf=net:PATH is for leduc_poker; holdem_limit re-solves rivers")
        from agents.cfr_holdem import HoldemSubgameAgent

        return HoldemSubgameAgent(game, options.blueprint, options.buckets, seed, options.iters, options.algo,
                                  options.safe)
    return SubgameAgent(game, options, seed)


AGENT = AgentKind(name="subgame", options=SubgameOptions, build=_build,
                  help="CFR subgame solving on a blueprint: blueprint=100, iters=1000, depth=0, horizon=game|round, "
                       "every=0, first=1, safe=1, leaf=blueprint|net:PATH (Leduc, horizon=round), leaf_every=1 "
                       "(holdem_limit: river re-solving, buckets=8; holdem_nolimit: nested safe solving from the river, "
                       "checkpoint=PATH, seconds=5, iters=1000, street=3 (2 = turn), safe=1, estimate=0.05, "
                       "sizes=fine|blueprint)")
