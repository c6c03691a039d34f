"""The mirror augmentation against the game itself: a mirrored observation is the observation of the
position reached by the mirrored moves, and policies/legal masks follow the action permutation."""
from __future__ import annotations

import numpy as np

from games.registry import make_game
from selfplay.augment import mirror_half


def _legal_mask(state, num_actions: int) -> np.ndarray:
    mask = np.zeros(num_actions, dtype=bool)
    mask[list(state.legal_actions())] = True
    return mask


def test_connect_four_mirror_matches_mirrored_play() -> None:
    game = make_game("connect_four")
    perm = game.spec.mirror_actions
    assert perm is not None and sorted(perm) == list(range(game.spec.num_actions))
    rng = np.random.default_rng(0)
    obs, mirrored_obs, masks, mirrored_masks = [], [], [], []
    for _ in range(200):
        state, twin = game.new_state(), game.new_state()
        for _ in range(int(rng.integers(0, 30))):
            if state.is_terminal():
                break
            a = int(rng.choice(state.legal_actions()))
            state.apply(a)
            twin.apply(perm[a])
        obs.append(state.observation())
        mirrored_obs.append(twin.observation())
        masks.append(_legal_mask(state, game.spec.num_actions))
        mirrored_masks.append(_legal_mask(twin, game.spec.num_actions))
    n = len(obs)
    policies = rng.dirichlet(np.ones(game.spec.num_actions), n).astype(np.float32)
    batch = {"observations": np.array(obs), "policies": policies, "legal_masks": np.array(masks),
             "values": rng.uniform(-1, 1, n).astype(np.float32)}
    out = mirror_half(batch, perm, np.random.default_rng(1))
    flipped = np.array([not np.array_equal(o, b) for o, b in zip(out["observations"], batch["observations"])])
    assert 0.3 < flipped.mean() < 0.7  # about half, and symmetric positions are rare
    for i in range(n):
        if np.array_equal(out["observations"][i], batch["observations"][i]) and not flipped[i]:
            assert np.array_equal(out["policies"][i], policies[i]) or np.array_equal(
                out["policies"][i], policies[i][list(perm)])
            continue
        assert np.array_equal(out["observations"][i], mirrored_obs[i])
        assert np.array_equal(out["legal_masks"][i], mirrored_masks[i])
        assert np.array_equal(out["policies"][i], policies[i][list(perm)])
    assert np.array_equal(out["values"], batch["values"])
    assert np.array_equal(batch["observations"], np.array(obs))  # the input batch is not modified


def test_games_without_symmetry_declare_none() -> None:
    assert make_game("chess").spec.mirror_actions is None
