"""The study's model checks: held-out pairings predicted against measured, anchor families."""
from __future__ import annotations

import numpy as np

from agents.arena.stats import expected_score
from benchmarks.elo import fit_elo, games_from_results
from benchmarks.scaling.checks import anchor_family, choose_holdouts, holdout_rows, predicted_score


def _games(true: dict[str, float], pairs: list[tuple[str, str]], n: int, seed: int,
           bias: dict[frozenset[str], float] | None = None) -> list[tuple[str, str, float, int]]:
    """Colour-swapped pairs of decisive games drawn from Bradley–Terry with the true ratings (plus an
    optional bias in Elo for some pairs: a family effect the model does not have)."""
    rng = np.random.default_rng(seed)
    rows = []
    for a, b in pairs:
        extra = (bias or {}).get(frozenset((a, b)), 0.0)
        p = expected_score(true[a] - true[b] + extra)
        for _ in range(n // 2):
            rows.append((a, b, float(rng.random() < p), 40))
            rows.append((b, a, float(rng.random() >= p), 40))
    return rows


def test_families() -> None:
    assert anchor_family("random") == "random"
    assert anchor_family("mcts:sims=64,eval=rollout") == "rollout MCTS"
    assert anchor_family("mcts:eval=material,sims=256") == "material MCTS"
    assert anchor_family("mcts:net=models/x.pt,sims=4") == "network MCTS"
    assert anchor_family("stockfish:elo=1500,movetime=0.1") == "stockfish"
    assert anchor_family("uci:cmd=/usr/games/ethereal-chess,depth=2") == "ethereal-chess"
    assert anchor_family("uci:cmd=/usr/games/stockfish,option.UCI_Elo=1500") == "stockfish"
    assert anchor_family("uci:/usr/games/ethereal-chess,depth=3") == "ethereal-chess"  # cmd as the positional
    assert anchor_family("uci:/usr/games/ethereal-chess,depth=7") == "ethereal-chess"


def test_holdouts_are_unscheduled_even_and_the_prediction_matches_a_consistent_model() -> None:
    true = {"r": 0.0, "a1": 200.0, "a2": 400.0, "c1": 150.0, "c2": 320.0, "c3": 600.0}
    scheduled = [("r", "a1"), ("a1", "a2"), ("c1", "r"), ("c2", "a1"), ("c3", "a2"), ("c1", "c2"), ("c2", "c3")]
    rows = _games(true, scheduled, 400, seed=1)
    fit = fit_elo(games_from_results((a, b, s) for a, b, s, _ in rows), {"r": 0.0})
    held = choose_holdouts(fit, ["c1", "c2", "c3"], ["r", "a1", "a2"], [frozenset(p) for p in scheduled], 3)
    assert held and all(frozenset(p) not in {frozenset(q) for q in scheduled} for p in held)
    assert all(0.2 <= predicted_score(fit, a, b)[0] <= 0.8 for a, b in held)
    assert len(set(held)) == len(held)
    assert held[0][0] != held[1][0]  # spread: a second cell before any cell comes twice
    direct = _games(true, held, 400, seed=2)
    table = holdout_rows(fit, held, rows + direct)
    assert [r["games"] for r in table] == [400] * len(held)
    assert sum(r["outside"] for r in table) <= 1  # a consistent model: at most a chance miss
    for r in table:
        truth = expected_score(true[r["a"]] - true[r["b"]])
        assert abs(r["measured"] - truth) < 0.08


def test_a_family_effect_is_flagged() -> None:
    true = {"r": 0.0, "a1": 200.0, "a2": 400.0, "c1": 150.0, "c2": 320.0, "c3": 600.0}
    scheduled = [("r", "a1"), ("a1", "a2"), ("c1", "r"), ("c2", "a1"), ("c3", "a2"), ("c1", "c2"), ("c2", "c3")]
    rows = _games(true, scheduled, 400, seed=3)
    fit = fit_elo(games_from_results((a, b, s) for a, b, s, _ in rows), {"r": 0.0})
    held = [("c3", "a1")]  # in truth c3 beats a1 by far less than the ladder says
    direct = _games(true, held, 600, seed=4, bias={frozenset(held[0]): -300.0})
    (row,) = holdout_rows(fit, held, rows + direct)
    assert row["outside"] and row["measured"] < row["predicted"] and row["z"] < -1.96


def test_too_few_even_pairs_widen_the_window_and_stored_pairs_are_kept() -> None:
    # a dense schedule: every cell linked to its nearest anchors, so few unplayed pairs are even matches
    true = {"r": 0.0, "a1": 200.0, "a2": 500.0, "c1": 150.0, "c2": 330.0, "c3": 350.0}
    scheduled = [("r", "a1"), ("a1", "a2"), ("c1", "r"), ("c1", "a1"), ("c2", "a1"), ("c2", "a2"),
                 ("c3", "a2"), ("c1", "c2"), ("c2", "c3")]
    rows = _games(true, scheduled, 400, seed=5)
    fit = fit_elo(games_from_results((a, b, s) for a, b, s, _ in rows), {"r": 0.0})
    cells, anchors, played = ["c1", "c2", "c3"], ["r", "a1", "a2"], [frozenset(p) for p in scheduled]
    narrow = choose_holdouts(fit, cells, anchors, played, 3, widest=0.2)
    scores = {p: predicted_score(fit, *p)[0] for p in [("c1", "a2"), ("c2", "r"), ("c3", "r"), ("c3", "a1")]}
    assert len(narrow) == sum(0.2 <= s <= 0.8 for s in scores.values()) < 3  # the old rule: too few
    wide = choose_holdouts(fit, cells, anchors, played, 3)
    assert len(wide) == 3 and set(narrow) <= set(wide)
    assert all(0.1 <= scores[p] <= 0.9 for p in wide) and any(not 0.2 <= scores[p] <= 0.8 for p in wide)
    # a stored, shorter list is topped up: its pairs first, none twice, none scheduled
    stored = [wide[-1]]
    again = choose_holdouts(fit, cells, anchors, played, 3, chosen=stored)
    assert again[0] == stored[0] and len(again) == len(set(again)) == 3
    assert not {frozenset(p) for p in again} & set(played)
    assert choose_holdouts(fit, cells, anchors, played, 1, chosen=wide) == wide[:1]
