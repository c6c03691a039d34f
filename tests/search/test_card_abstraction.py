"""The no-limit card abstraction: suit isomorphism, strengths, equity histograms, k-means, lookup and cache.

The full build takes minutes, so its pieces are checked here on a few boards against brute force:
river tables restricted to the boards a flop or turn can reach are enough for the histogram code, and a
small :class:`CardAbstraction` over a handful of canonical boards exercises the lookup.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search.cfr.abstraction import COMBOS, board_values, combo_index, strengths_on_board
from search.cfr.card_abstraction import (CardAbstraction, CardAbstractionConfig, CardAbstractionError, CardTables,
                                         cache_path, load, save)
from search.cfr.card_features import BLOCKED, LEVELS, assign_boards, flop_cdfs, river_table, turn_cdfs
from search.cfr.equity import strengths
from search.cfr.kmeans import assign, kmeans_1d, kmeans_emd
from search.cfr.suit_iso import CANONICAL_COUNTS, canonical_boards, canonical_key, key_cards, permute_card

RNG = np.random.default_rng(11)


def _shuffle_suits(cards: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    perm = rng.permutation(4)
    return np.array([(c & ~3) | perm[c & 3] for c in cards], dtype=np.int64)


@pytest.mark.parametrize("k", [3, 4, 5])
def test_canonical_board_counts(k: int) -> None:
    keys, counts = canonical_boards(k)
    assert len(keys) == CANONICAL_COUNTS[k] and counts.sum() == {3: 22100, 4: 270725, 5: 2598960}[k]
    assert np.all(np.diff(keys) > 0)


def test_canonical_key_is_a_suit_invariant_with_its_permutation() -> None:
    for _ in range(500):
        k = int(RNG.integers(3, 6))
        board = RNG.choice(52, k, replace=False).astype(np.int64)
        key, perm = canonical_key(board)
        assert sorted(permute_card(int(c), perm) for c in board) == key_cards(key, k).tolist()
        assert canonical_key(_shuffle_suits(board, RNG))[0] == key
    three_clubs, two_clubs = np.array([0, 4, 8], dtype=np.int64), np.array([0, 4, 9], dtype=np.int64)
    assert canonical_key(three_clubs)[0] != canonical_key(two_clubs)[0]


@pytest.mark.parametrize("k", [3, 4, 5])
def test_strengths_equal_brute_force(k: int) -> None:
    for _ in range(3):
        board = RNG.choice(52, k, replace=False).astype(np.int64)
        np.testing.assert_allclose(strengths(board), strengths_on_board(board_values(board), COMBOS), atol=1e-12)


def _river_subset(boards: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.unique([canonical_key(b)[0] for b in boards])
    return keys, river_table(keys, COMBOS)


def _level_bin(strength: float, bins: int) -> int:
    return min(int(strength * LEVELS + 0.5) * bins // (LEVELS + 1), bins - 1)


def test_turn_histograms_equal_brute_force() -> None:
    turn = np.array([51, 46, 20, 3], dtype=np.int64)  # As Qh 7c 2s
    rivers = [c for c in range(52) if c not in turn]
    keys, table = _river_subset([np.append(turn, r) for r in rivers])
    bins = 8
    cdf = np.zeros((1326, bins), dtype=np.float32)
    turn_cdfs(turn, keys, table, COMBOS, cdf)
    expected = np.zeros((1326, bins))
    for r in rivers:
        s = strengths(np.append(turn, r))
        for i in np.flatnonzero(s >= 0):
            expected[i, _level_bin(s[i], bins)] += 1
    valid = expected.sum(axis=1) > 0
    assert valid.sum() == 1128 and np.all(expected[valid].sum(axis=1) == 46)
    np.testing.assert_allclose(cdf[valid], np.cumsum(expected[valid], axis=1) / 46, atol=1e-6)
    assert np.all(cdf[~valid] == 0)


def test_flop_histograms_count_every_runout() -> None:
    flop = np.array([50, 45, 8], dtype=np.int64)
    runouts = [(t, r) for t in range(52) for r in range(t + 1, 52) if t not in flop and r not in flop]
    keys, table = _river_subset([np.concatenate([flop, [t, r]]) for t, r in runouts])
    bins = 5
    cdf = np.zeros((1326, bins), dtype=np.float32)
    flop_cdfs(flop, keys, table, COMBOS, cdf)
    hand = combo_index(51, 47)  # As Ks
    expected = np.zeros(bins)
    for t, r in runouts:
        if {t, r} & {51, 47}:
            continue
        expected[_level_bin(strengths(np.concatenate([flop, [t, r]]))[hand], bins)] += 1
    assert expected.sum() == 1081
    np.testing.assert_allclose(cdf[hand], np.cumsum(expected) / 1081, atol=1e-6)


def test_kmeans_recovers_separated_clusters() -> None:
    centres = (np.arange(10)[None, :] >= 1.6 * np.arange(6)[:, None]).astype(np.float32)  # point masses' CDFs
    points = np.ascontiguousarray(np.repeat(centres, 150, axis=0) + RNG.normal(0, 0.005, (900, 10)), dtype=np.float32)
    fitted, cost = kmeans_emd(points, np.ones(900), 6, 50, 4)
    labels = np.zeros(900, dtype=np.int64)
    assign(points, fitted, labels)
    assert all(len(set(labels[i * 150:(i + 1) * 150])) == 1 for i in range(6)) and len(set(labels)) == 6
    assert cost < 0.1
    again, _ = kmeans_emd(points, np.ones(900), 6, 50, 4)
    np.testing.assert_array_equal(fitted, again)  # seeded
    values = np.sort(np.concatenate([RNG.normal(0.2, 0.01, 400), RNG.normal(0.7, 0.01, 600)]))
    np.testing.assert_allclose(kmeans_1d(values, np.ones(1000), 2, 50), [0.2, 0.7], atol=0.01)


def _small_abstraction(tmp: int = 3) -> tuple[CardAbstraction, list[np.ndarray]]:
    """Tables over a few canonical flops, turns and rivers (the others rows are absent)."""
    flops = [np.array([51, 46, 20], dtype=np.int64), np.array([10, 14, 18], dtype=np.int64)]
    turns = [np.array([51, 46, 20, 3], dtype=np.int64)]
    rivers = [np.array([51, 46, 20, 3, 30], dtype=np.int64)]
    reach = [np.concatenate([f, [t, r]]) for f in flops for t in range(52) for r in range(t + 1, 52)
             if t not in f and r not in f] + [np.append(turns[0], r) for r in range(52) if r not in turns[0]]
    river_keys, table = _river_subset(reach + rivers)
    bins = 6
    cent = np.sort(RNG.random((tmp, bins)), axis=1).astype(np.float32)
    cent[:, -1] = 1.0
    flop_keys = np.unique([canonical_key(f)[0] for f in flops])
    turn_keys = np.unique([canonical_key(t)[0] for t in turns])
    flop = np.zeros((len(flop_keys), 1326), dtype=np.uint8)
    turn = np.zeros((len(turn_keys), 1326), dtype=np.uint8)
    assign_boards(flop_keys, 3, river_keys, table, COMBOS, cent, flop)
    assign_boards(turn_keys, 4, river_keys, table, COMBOS, cent, turn)
    centres = np.array([0.25, 0.5, 0.75])
    cuts = (centres[1:] + centres[:-1]) / 2
    river = np.where(table == BLOCKED, 0, np.searchsorted(cuts, table / LEVELS, side="right")).astype(np.uint8)
    config = CardAbstractionConfig(flop_buckets=tmp, turn_buckets=tmp, river_buckets=3, bins=bins)
    tables = CardTables(flop_keys, turn_keys, river_keys, flop, turn, river)
    return CardAbstraction(config, tables, cent, cent, centres), flops + turns + rivers


def test_bucket_lookup_is_suit_invariant_and_matches_features() -> None:
    abstraction, boards = _small_abstraction()
    for board in boards:
        for _ in range(40):
            hole = RNG.choice([c for c in range(52) if c not in board], 2, replace=False)
            bucket = abstraction.bucket(hole, board)
            perm = RNG.permutation(4)
            moved = [int((c & ~3) | perm[c & 3]) for c in list(hole) + list(board)]
            assert abstraction.bucket(moved[:2], moved[2:]) == bucket
            if len(board) == 5:
                s = strengths(board)[combo_index(int(hole[0]), int(hole[1]))]
                assert bucket == int(np.argmin(np.abs(abstraction.river_centres - s)))
    assert abstraction.bucket((51, 50), []) == abstraction.bucket((49, 48), []) != abstraction.bucket((51, 47), [])


def test_cache_round_trip_and_foreign_files(tmp_path: Path) -> None:
    abstraction, _ = _small_abstraction()
    path = cache_path(abstraction.config, tmp_path)
    save(abstraction, path)
    again = load(path)
    assert again.config == abstraction.config and oct(path.stat().st_mode & 0o777) == "0o644"
    for a, b in zip(again.tables, abstraction.tables):
        np.testing.assert_array_equal(a, b)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3))
    with pytest.raises(CardAbstractionError, match="not a card abstraction"):
        load(other)
    assert CardAbstractionConfig(flop_buckets=50).fingerprint() != CardAbstractionConfig().fingerprint()
    with pytest.raises(CardAbstractionError, match="flop_buckets"):
        CardAbstractionConfig(flop_buckets=0)
