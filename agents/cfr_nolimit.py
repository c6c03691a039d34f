"""No-limit hold'em blueprint agent: ``cfr:checkpoint=PATH`` on ``holdem_nolimit(...)``.

Plays the average strategy of an MCCFR blueprint checkpoint (:mod:`search.cfr.nl_blueprint`, trained by
``python -m selfplay.nolimit_blueprint``). The real betting is followed through the abstract tree with
pseudo-harmonic action translation (:mod:`search.cfr.nl_translate`): an opponent raise between two
abstract sizes lands on one of them with Ganzfried & Sandholm's probability, drawn once per hand and
history so every later question about the hand sees the same path (``translation=nearest`` makes it
deterministic). The agent's own abstract actions are sized from the real pot (a pot fraction stays a pot
fraction); where the abstract hand has ended but the real one goes on (a translated all-in) it checks or
calls. It also answers :meth:`hand_policy` for all 1,326 combos (LBR and AIVAT read it).

Baselines and helpers shared by the no-limit agents live here too: :class:`HandPolicyAgent` (``act``
samples the own row of ``hand_policy``).
"""
from __future__ import annotations

import abc
from pathlib import Path
from typing import Literal

import numpy as np

from agents.core import Agent, AgentError
from games.core import Game, State, UnsupportedGameError
from games.poker.base import CALL
from search.cfr.abstraction import combo_index
from search.cfr.card_abstraction import CardAbstractionError
from search.cfr.nl_betting import betting_of
from search.cfr.nl_blueprint import Blueprint, load_blueprint, load_checkpoint
from search.cfr.nl_buckets import all_buckets
from search.cfr.nl_config import BlueprintConfigError, deal_source
from search.cfr.nl_deals import DealSource
from search.cfr.nl_mirror import board_of_round, real_groups
from search.cfr.nl_translate import translate, walk_history

DEFAULT_CHECKPOINT = Path("models/nolimit/blueprint.npz")
"""Blueprint used when a spec names none."""
Translation = Literal["pseudo_harmonic", "nearest"]


def is_nolimit(game: Game) -> bool:
    """Whether ``game`` is a ``holdem_nolimit`` game (any stack and blinds)."""
    return game.spec.name.startswith("holdem_nolimit")


def require_nolimit(game: Game, kind: str) -> None:
    """UnsupportedGameError unless ``game`` is no-limit hold'em."""
    if not is_nolimit(game):
        raise UnsupportedGameError(f"the '{kind}' agent plays holdem_nolimit; not {game.spec.name}")


def load_nolimit_blueprint(game: Game, checkpoint: str, cache: str = "") -> tuple[Blueprint, DealSource]:
    """The blueprint at ``checkpoint`` (default :data:`DEFAULT_CHECKPOINT`) and its card abstraction;
    AgentError when it is missing, made for other rules, or for a card abstraction other than its own."""
    path = Path(checkpoint) if checkpoint else DEFAULT_CHECKPOINT
    if not path.exists():
        raise AgentError(f"no blueprint checkpoint at {path}: train one with python -m selfplay.nolimit_blueprint "
                         "or give checkpoint=PATH")
    try:
        config, _, _ = load_checkpoint(path)
        if config.cards == "kuhn":
            raise AgentError(f"{path} was trained with cards=kuhn (one card per player), not real hold'em")
        if config.rules() != game.rules:  # type: ignore[attr-defined]
            raise AgentError(f"{path} was trained for {config.rules().name()}, not {game.spec.name}")
        source = deal_source(config, Path(cache) if cache else None)
        return load_blueprint(path, source), source
    except (BlueprintConfigError, CardAbstractionError) as err:
        raise AgentError(str(err)) from None


def own_combo(state: State) -> int:
    """Combo index of the hole cards of the player to move."""
    hole = state.hole[state.current_player]  # type: ignore[attr-defined]
    return int(combo_index(hole[0], hole[1]))


class HandPolicyAgent(Agent):
    """An agent defined by :meth:`hand_policy`; ``act`` samples the row of its own hand."""

    def __init__(self, game: Game, seed: int) -> None:
        self.game = game
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def new_game(self, seed: int) -> None:
        """Forget the last hand; draw this hand's randomness from (the agent's seed, ``seed``)."""
        self.reset()
        self.rng = np.random.default_rng([self.seed, seed])

    @abc.abstractmethod
    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        """(actions [k], probabilities [1326, k]) at a decision (see :class:`agents.core.RangeAgent`)."""

    def act(self, state: State) -> int:
        return self.act_with_policy(state)[0]

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        if state.current_player < 0:
            raise AgentError("a no-limit agent acts only at a player's decision")
        actions, probs = self.hand_policy(state)
        row = np.asarray(probs[own_combo(state)], dtype=np.float64)
        row = row / row.sum()
        choice = int(actions[int(self.rng.choice(len(actions), p=row))])
        policy = np.zeros(self.game.spec.num_actions)
        policy[actions] = row
        return choice, policy


class NoLimitBlueprintAgent(HandPolicyAgent):
    """Plays a no-limit blueprint with action translation."""

    def __init__(self, game: Game, checkpoint: str, seed: int, translation: Translation = "pseudo_harmonic",
                 cache: str = "") -> None:
        super().__init__(game, seed)
        self.rules = game.rules  # type: ignore[attr-defined]
        self.blueprint, self.source = load_nolimit_blueprint(game, checkpoint, cache)
        self.checkpoint_path = str(checkpoint or DEFAULT_CHECKPOINT)
        """The blueprint file."""
        self.translation = translation
        self._draws: dict[tuple[int, ...], float] = {}
        self._buckets: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}

    def translator(self, node: int, betting, action: int, key: tuple[int, ...]) -> int:  # noqa: ANN001
        """Child slot of abstract ``node`` for the real ``action`` after history ``key`` (drawn once per hand)."""
        if self.translation == "nearest":
            u = None
        else:
            u = self._draws.setdefault(key + (action,), float(self.rng.random()))
        return translate(self.blueprint.tree, node, betting, action, self.rules.stack, u)

    def buckets(self, rnd: int, board: tuple[int, ...]) -> np.ndarray:
        """int64 [1326]: every combo's blueprint bucket in round ``rnd`` (cached for the hand)."""
        key = (rnd, board)
        if key not in self._buckets:
            self._buckets[key] = all_buckets(self.source, rnd, board)
        return self._buckets[key]

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        sequences = [list(s) for s in state.sequences]  # type: ignore[attr-defined]
        _, node, _ = walk_history(self.blueprint.tree, self.rules, sequences, self.translator)
        betting = betting_of(state)
        if node < 0:  # the abstract hand is over (a translated all-in): check or call
            return np.array([CALL], dtype=np.int64), np.ones((1326, 1))
        tree = self.blueprint.tree
        k = int(tree.num_children[node])
        rnd = int(tree.round[node])
        buckets = self.buckets(rnd, board_of_round(state.board, rnd))  # type: ignore[attr-defined]
        probs = self.blueprint.strategy[int(tree.slot[node]) + buckets[:, None] * k + np.arange(k)[None, :]]
        groups = real_groups(tree, node, betting, self.rules.stack)
        actions = np.array([real for real, _, _ in groups], dtype=np.int64)
        merged = np.stack([probs[:, slots].sum(axis=1) for _, slots, _ in groups], axis=1).astype(np.float64)
        return actions, merged

    def reset(self) -> None:
        self._draws.clear()
        self._buckets.clear()
