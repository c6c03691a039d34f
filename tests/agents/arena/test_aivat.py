"""AIVAT is unbiased: its exact expectation over every deal and action equals the exact return, with
the agents' blueprints or a fixed blueprint as the value function."""
from __future__ import annotations

import numpy as np
import pytest

from agents.arena.aivat import AivatScorer, aivat_applies, match_scorers
from agents.registry import make_agent
from games.registry import make_game


def _expectations(scorer: AivatScorer, seats: tuple, node: int, hist: list[int], prob: float) -> tuple[float, float]:
    """(E[AIVAT score of player 0], E[return of player 0]) below ``node`` by full enumeration."""
    t = scorer.tree
    kind = int(t.kind[node])
    if kind == 2:
        deck = t.rules.deck_size
        dealt = deck * (deck - 1) * ((deck - 2) if int(t.board[node]) >= 0 else 1)
        ret0 = float(t.payoff[t.terminal_index[node], hist[0], hist[1]] * dealt)
        return prob * scorer.score(hist, seats, ret0), prob * ret0
    kids = [int(c) for c in t.children[node, : t.num_children[node]]]
    if kind == 1:
        branches = [(c, 1.0 / (len(kids) - 2)) for c in kids if int(t.action[c]) not in hist[:2]]
    else:
        q = int(t.player[node])
        branches = list(zip(kids, seats[q].strategy_at(node)[hist[q], : len(kids)]))
    total = [0.0, 0.0]
    for child, p in branches:
        if p > 0:
            a, b = _expectations(scorer, seats, child, hist + [int(t.action[child])], prob * p)
            total[0] += a
            total[1] += b
    return total[0], total[1]


@pytest.mark.parametrize("name,spec_a,spec_b", [("kuhn_poker", "cfr:iters=10", "cfr:iters=300"),
                                                ("leduc_poker", "subgame:blueprint=30,iters=100", "cfr:iters=3")])
def test_aivat_expectation_equals_the_exact_return(name: str, spec_a: str, spec_b: str) -> None:
    game = make_game(name)
    a, b = make_agent(spec_a, game, seed=0), make_agent(spec_b, game, seed=1)
    assert aivat_applies(name, [a, b]) and not aivat_applies(name, [a, make_agent("random", game)])
    if spec_a.startswith("subgame"):  # the value function is its blueprint, not the re-solved play
        assert not np.allclose(a.blueprint_strategy(), a.full_strategy())
    scorers = match_scorers(name, a, b)
    deck = scorers[0].tree.rules.deck_size
    deals = [(h0, h1) for h0 in range(deck) for h1 in range(deck) if h0 != h1]
    for seats, scorer in (((a, b), scorers[0]), ((b, a), scorers[1]), ((a, b), AivatScorer(name))):
        pairs = [_expectations(scorer, seats, 0, [h0, h1], 1.0 / len(deals)) for h0, h1 in deals]
        aivat, ret = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        assert aivat == pytest.approx(ret, abs=1e-9)
        assert abs(ret) > 1e-4  # the agents differ, so the check is not 0 == 0
