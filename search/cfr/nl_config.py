"""Configuration of a no-limit blueprint run, its JSON form, and the deal source it names.

The defaults are the full game (20,000-chip stacks, blinds 50/100) with the action abstraction of
:class:`~search.cfr.nl_tree.ActionAbstraction` and 200 k-means buckets per round after the flop, trained
by external-sampling MCCFR with Pluribus's schedule scaled to iterations: linear weighting (a discount
every ``discount_every`` iterations until ``discount_until``), then negative-regret pruning in 95% of the
iterations from ``prune_after`` on.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from games.core import InputError
from games.poker.nolimit_rules import NoLimitRules, parse_rules
from search.cfr.card_abstraction import CardAbstractionConfig, load_or_build
from search.cfr.nl_deals import DealSource, StrengthDeals, TableDeals
from search.cfr.nl_eval import KuhnDeals
from search.cfr.nl_tree import ActionAbstraction

CardKind = Literal["kmeans", "strength", "kuhn"]
MODEL_FIELDS = ("game", "actions", "cards", "card_abstraction", "strength_buckets", "kuhn_cards", "seed")
"""Fields that define the abstract game and the sampled deals: a run resumes only if they are unchanged."""


class BlueprintConfigError(InputError):
    """A bad blueprint setting, or a run folder / checkpoint made with other settings."""


@dataclass(frozen=True)
class BlueprintConfig:
    """One MCCFR blueprint run. Iteration counts are per deal (each iteration traverses for both players)."""

    game: str = "holdem_nolimit"
    """Game name with its parameters, e.g. ``holdem_nolimit(stack=2000,blinds=50/100)``."""
    actions: ActionAbstraction = field(default_factory=ActionAbstraction)
    """Which raise sizes the abstract game keeps."""
    cards: CardKind = "kmeans"
    """Card abstraction: ``kmeans`` (distribution-aware k-means tables, built once and cached),
    ``strength`` (hand-strength quantiles computed per deal; tests and tiny runs) or ``kuhn`` (each player
    holds one of ``kuhn_cards`` cards: a small game whose exploitability is computed exactly)."""
    card_abstraction: CardAbstractionConfig = field(default_factory=CardAbstractionConfig)
    """Settings of the ``kmeans`` card abstraction."""
    strength_buckets: int = 10
    """Buckets per round after the flop for ``cards = strength``."""
    kuhn_cards: int = 3
    """Deck size for ``cards = kuhn``."""
    iterations: int = 40_000_000
    """Stop after this many iterations in all (a resumed run counts those already done)."""
    seconds: float = 0.0
    """Also stop after this many seconds of this invocation (0: no limit)."""
    batch: int = 20_000
    """Deals sampled per kernel call."""
    threads: int = 2
    """numba threads sharing the regret tables."""
    discount_every: int = 1_000_000
    """Linear weighting: regrets and strategy sums are multiplied by k/(k+1) after the k-th such interval..."""
    discount_until: int = 20_000_000
    """... up to this iteration (Pluribus: every 10 minutes for the first 400)."""
    prune_after: int = 10_000_000
    """From this iteration on, ``prune_prob`` of the iterations skip actions with regret below
    ``prune_threshold`` (Pluribus: after 200 minutes, 95%)."""
    prune_prob: float = 0.95
    """Share of the iterations that prune, once pruning has started."""
    prune_threshold: float = -3_000_000.0
    """Regret (chips) below which an action is pruned: Pluribus's C (-300,000,000 at the same stacks and
    blinds) scaled down with the number of iterations, a hundredfold fewer here."""
    regret_floor: float = -3_100_000.0
    """Regrets never go below this (chips; Pluribus: -310,000,000, scaled likewise)."""
    checkpoint_every: int = 2_000_000
    """Iterations between checkpoints (each also writes a metrics line)."""
    keep_checkpoints: int = 3
    """Checkpoints kept in the run folder (the newest ones)."""
    eval_deals: int = 2_000
    """Deals of the head-to-head evaluations logged at each checkpoint."""
    seed: int = 0
    """Seed of the deals and of the sampled actions."""

    def __post_init__(self) -> None:
        positive = ("strength_buckets", "iterations", "batch", "threads", "discount_every", "checkpoint_every",
                    "keep_checkpoints", "eval_deals")
        for name in positive:
            if getattr(self, name) < 1:
                raise BlueprintConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.cards not in typing.get_args(CardKind):
            kinds = ", ".join(typing.get_args(CardKind))
            raise BlueprintConfigError(f"cards must be one of {kinds}, got '{self.cards}'")
        if not 2 <= self.kuhn_cards <= 1000:
            raise BlueprintConfigError(f"kuhn_cards must lie in 2..1000, got {self.kuhn_cards}")
        if not 0.0 <= self.prune_prob <= 1.0 or self.seconds < 0:
            raise BlueprintConfigError(f"prune_prob must lie in [0, 1] and seconds be >= 0 ({self})")
        if self.regret_floor > self.prune_threshold:
            raise BlueprintConfigError("regret_floor must not exceed prune_threshold")
        self.rules()  # a malformed game name fails here

    def rules(self) -> NoLimitRules:
        """Stack and blinds of :attr:`game`."""
        return parse_rules(self.game)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "BlueprintConfig":
        return _from_dict(cls, data, "config")

    def model_differences(self, other: "BlueprintConfig") -> list[str]:
        """Names of the :data:`MODEL_FIELDS` that differ from ``other``'s."""
        return [name for name in MODEL_FIELDS if getattr(self, name) != getattr(other, name)]


def deal_source(config: BlueprintConfig, cache_dir: Path | None = None) -> DealSource:
    """The card abstraction of ``config`` (the k-means tables are built and cached on first use)."""
    if config.cards == "kuhn":
        return KuhnDeals(config.kuhn_cards)
    if config.cards == "strength":
        k = config.strength_buckets
        return StrengthDeals(flop_buckets=k, turn_buckets=k, river_buckets=k, seed=config.seed)
    return TableDeals(load_or_build(config.card_abstraction, cache_dir))


def load_config(path: Path) -> BlueprintConfig:
    """A config from a JSON file (unknown fields and wrong types are refused)."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as err:
        raise BlueprintConfigError(f"cannot read config '{path}': {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise BlueprintConfigError(f"config '{path}' is not JSON ({err.msg}, line {err.lineno})") from None
    return BlueprintConfig.from_dict(data)


def _convert(kind: Any, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(kind):
        return _from_dict(kind, value, where)
    origin = typing.get_origin(kind)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise BlueprintConfigError(f"{where} must be a list; got {value!r}")
        args = typing.get_args(kind)
        inner = args[0]
        return tuple(_convert(inner, v, f"{where}[{i}]") for i, v in enumerate(value))
    base = str if origin is Literal else kind
    if base is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if base in (int, float, str, bool) and type(value) is not base:
        raise BlueprintConfigError(f"{where} must be {base.__name__}; got {value!r}")
    return value


def _from_dict(cls: type, data: Any, where: str) -> Any:
    """Build dataclass ``cls`` from nested dicts, rejecting unknown fields and wrong types."""
    if not isinstance(data, dict):
        raise BlueprintConfigError(f"{where} must be a JSON object; got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - fields)
    if unknown:
        raise BlueprintConfigError(f"unknown field(s) {', '.join(unknown)} in {where} "
                                   f"(known: {', '.join(sorted(fields))})")
    values = {key: _convert(hints[key], value, f"{where}.{key}") for key, value in data.items()}
    try:
        return cls(**values)
    except TypeError as err:
        raise BlueprintConfigError(f"{where}: {err}") from None
