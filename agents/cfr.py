"""The CFR blueprint agent ``cfr:iters=1000,algo=dcfr`` for Kuhn and Leduc poker (and, through
:mod:`agents.cfr_holdem`, a card-abstraction blueprint for limit hold'em; through :mod:`agents.cfr_nolimit`,
an MCCFR blueprint checkpoint with action translation for no-limit hold'em: ``cfr:checkpoint=PATH``).

The blueprint (the average strategy after ``iters`` iterations) is solved once and cached on disk
under ``$GAMESEARCH_CACHE`` (default ``~/.cache/gamesearch``) as ``cfr/<game>-<algo>-<iters>.npy``.
The agent finds the public node from the state's history (open_spiel's action numbering: the two
private cards, then bets and the board card) and samples from the strategy of its own card.
"""
from __future__ import annotations

import abc
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from agents.core import Agent, AgentError, AgentKind
from games.core import Game, State, UnsupportedGameError
from search.cfr import CFRConfig, CFRSolver, PublicTree, game_tree, node_from_history
from search.cfr.tree import NO_NODE, RULES

Algo = Literal["cfr", "cfr+", "lcfr", "dcfr"]


def cache_dir() -> Path:
    """Folder of cached blueprints (``$GAMESEARCH_CACHE/cfr``)."""
    root = os.environ.get("GAMESEARCH_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "gamesearch")
    return Path(root) / "cfr"


def poker_tree(game: Game) -> PublicTree:
    """The public tree of a Kuhn/Leduc game (native or ``openspiel:`` wrapped); refuses other games."""
    name = game.spec.name.removeprefix("openspiel:")
    if name not in RULES:
        raise UnsupportedGameError(f"CFR agents play {', '.join(sorted(RULES))} and holdem_limit; "
                                   f"not {game.spec.name}")
    return game_tree(name)


def blueprint(game_name: str, algo: str, iters: int) -> np.ndarray:
    """float64 [D, H, A]: the average strategy of ``algo`` after ``iters`` iterations (disk-cached)."""
    path = cache_dir() / f"{game_name}-{algo.replace('+', 'plus')}-{iters}.npy"
    tree = game_tree(game_name)
    if path.exists():
        strategy = np.load(path)
        if strategy.shape == (tree.num_decisions, tree.num_hands, 3):
            return strategy
    solver = CFRSolver(tree, CFRConfig(algo))
    solver.run(iters)
    strategy = solver.average_strategy()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy")
    with os.fdopen(fd, "wb") as f:
        np.save(f, strategy)
    os.replace(tmp, path)
    return strategy


def locate(tree: PublicTree, state: State) -> tuple[int, int]:
    """(public node, private card of the player to move) of a decision state; AgentError if off-tree."""
    player = state.current_player
    history = [int(a) for a in state.history]
    if player < 0 or len(history) < 2:
        raise AgentError("a CFR agent acts only at a player's decision")
    node = node_from_history(tree, history)
    if node == NO_NODE or int(tree.player[node]) != player:
        raise AgentError(f"history {history} is not a decision of player {player} in {tree.rules.name}")
    return node, history[player]


class TabularPokerAgent(Agent):
    """Samples from a per-node strategy function ``strategy_at(node) -> [H, A]``."""

    def __init__(self, game: Game, tree: PublicTree, seed: int) -> None:
        self.game, self.tree = game, tree
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def new_game(self, seed: int) -> None:
        """Draw this game's actions from (the agent's seed, the game's seed)."""
        self.reset()
        self.rng = np.random.default_rng([self.seed, seed])

    @abc.abstractmethod
    def strategy_at(self, node: int) -> np.ndarray:
        """float64 [H, A]: action probabilities per private card at decision ``node``."""

    @abc.abstractmethod
    def full_strategy(self) -> np.ndarray:
        """float64 [D, H, A]: the strategy at every decision node (for exact expected values)."""

    def blueprint_strategy(self) -> np.ndarray:
        """float64 [D, H, A]: the strategy the agent starts from before any real-time search (AIVAT's
        value function in :mod:`agents.arena.aivat`); the full strategy unless a subclass searches."""
        return self.full_strategy()

    def act(self, state: State) -> int:
        return self.act_with_policy(state)[0]

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        node, card = locate(self.tree, state)
        actions = self.tree.legal_actions(node)
        probs = self.strategy_at(node)[card, : len(actions)]
        probs = probs / probs.sum()
        slot = int(self.rng.choice(len(actions), p=probs))
        policy = np.zeros(self.game.spec.num_actions)
        policy[actions] = probs
        return actions[slot], policy


@dataclass(frozen=True)
class CFROptions:
    """Options of the ``cfr`` agent (spec ``cfr:iters=1000,algo=dcfr``)."""

    iters: int = 1000
    """Iterations of the offline blueprint solve."""
    algo: Algo = "dcfr"
    """CFR variant of the blueprint (Kuhn, Leduc; hold'em uses chance-sampled CFR)."""
    buckets: int = 8
    """holdem_limit: hand-strength buckets per round of the card abstraction."""
    checkpoint: str = ""
    """holdem_nolimit: the blueprint checkpoint (.npz; default models/nolimit/blueprint.npz)."""
    translation: Literal["pseudo_harmonic", "nearest"] = "pseudo_harmonic"
    """holdem_nolimit: how an opponent bet off the abstract tree is mapped onto it."""
    cache: str = ""
    """holdem_nolimit: card-abstraction cache folder (default $GAMESEARCH_CACHE/poker)."""

    def __post_init__(self) -> None:
        if self.iters < 1:
            raise ValueError(f"iters must be >= 1; got {self.iters}")
        if self.buckets < 2:
            raise ValueError(f"buckets must be >= 2; got {self.buckets}")


class CFRAgent(TabularPokerAgent):
    """Plays the cached blueprint."""

    def __init__(self, game: Game, options: CFROptions, seed: int) -> None:
        super().__init__(game, poker_tree(game), seed)
        self.strategy = blueprint(self.tree.rules.name, options.algo, options.iters)

    def strategy_at(self, node: int) -> np.ndarray:
        return self.strategy[self.tree.decision_index[node]]

    def full_strategy(self) -> np.ndarray:
        return self.strategy


HOLDEM = "holdem_limit"
"""The game whose blueprint goes through card abstraction (:mod:`agents.cfr_holdem`)."""


def _build(game: Game, options: CFROptions, seed: int) -> Agent:
    if game.spec.name.startswith("holdem_nolimit"):
        from agents.cfr_nolimit import NoLimitBlueprintAgent

        return NoLimitBlueprintAgent(game, options.checkpoint, seed, options.translation, options.cache)
    if game.spec.name == HOLDEM:
        from agents.cfr_holdem import HoldemBlueprintAgent

        return HoldemBlueprintAgent(game, options.iters, options.buckets, seed)
    return CFRAgent(game, options, seed)


AGENT = AgentKind(name="cfr", options=CFROptions, build=_build,
                  help="CFR blueprint for kuhn_poker/leduc_poker (iters=1000, algo=cfr|cfr+|lcfr|dcfr) and "
                       "holdem_limit (iters=N sampled iterations, buckets=8) and holdem_nolimit (checkpoint=PATH, "
                       "translation=pseudo_harmonic|nearest)")
