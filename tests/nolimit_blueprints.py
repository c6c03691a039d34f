"""Tiny no-limit blueprints for tests, trained once per test process (seconds each).

* :func:`kuhn_blueprint`: the ``cards = kuhn`` game (each player holds one of 4 cards, 12-chip stacks,
  blinds 1/2, pot-sized raises): small enough for exact exploitability.
* :func:`strength_blueprint`: real hold'em with 40-big-blind stacks (``holdem_nolimit(stack=4000)``),
  hand-strength buckets and a coarse action abstraction: what the agents, LBR and benchmark tests play.
"""
from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import numba

from search.cfr.nl_blueprint import checkpoints, train
from search.cfr.nl_config import BlueprintConfig
from search.cfr.nl_tree import ActionAbstraction

POT = ((1.0,),)
KUHN_CONFIG = BlueprintConfig(game="holdem_nolimit(stack=12,blinds=1/2)", cards="kuhn", kuhn_cards=4,
                              actions=ActionAbstraction(preflop=POT, flop=POT, turn=POT, river=POT),
                              iterations=3_000, batch=1_000, threads=1, discount_every=1_000, discount_until=1_000,
                              prune_after=10 ** 9, prune_threshold=-50.0, regret_floor=-1e6, checkpoint_every=3_000,
                              keep_checkpoints=1, eval_deals=100, seed=1)
"""A weak (3,000-iteration) Kuhn-card blueprint: re-solving has room to improve on it."""
STRENGTH_GAME = "holdem_nolimit(stack=4000)"
STRENGTH_CONFIG = BlueprintConfig(game=STRENGTH_GAME, cards="strength", strength_buckets=4,
                                  actions=ActionAbstraction(preflop=POT, flop=POT, turn=((0.5, 1.0),),
                                                            river=((0.5, 1.0),)),
                                  iterations=20_000, batch=2_000, threads=1, discount_every=2_000, prune_after=10 ** 9,
                                  checkpoint_every=10_000, keep_checkpoints=2, eval_deals=50, seed=2)
"""Real hold'em, 40 big blinds, 4 strength buckets; checkpoints at 10,000 and 20,000 iterations."""


def _train(config: BlueprintConfig, name: str) -> list[Path]:
    folder = Path(tempfile.mkdtemp(prefix=f"gamesearch-{name}-"))
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        train(config, folder)
    finally:
        numba.set_num_threads(before)
    return checkpoints(folder)


@cache
def kuhn_blueprint() -> Path:
    """The checkpoint of :data:`KUHN_CONFIG`."""
    return _train(KUHN_CONFIG, "kuhn")[-1]


@cache
def strength_blueprints() -> tuple[Path, Path]:
    """The two checkpoints of :data:`STRENGTH_CONFIG` (10,000 and 20,000 iterations)."""
    found = _train(STRENGTH_CONFIG, "strength")
    return found[-2], found[-1]


def strength_blueprint() -> Path:
    """The final checkpoint of :data:`STRENGTH_CONFIG`."""
    return strength_blueprints()[-1]
