"""Positions made by Ray workers in parallel with training, on a local Ray of this test's own (shut down at the
end; never ``ray stop``, which would end other Ray instances on the machine): labelled positions arrive, a
killed worker is rebuilt and the feed goes on, and a training run uses the workers."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from games.sudoku import canonical_form
from selfplay.sudoku_think.config import ThinkTrainConfig
from selfplay.sudoku_think.data import heldout_forms, read_train_forms

ray = pytest.importorskip("ray")
ROOT = Path(__file__).resolve().parents[2]
HARD = str(ROOT / "games" / "sudoku" / "data" / "hard.txt")
CFG = ThinkTrainConfig(channels=8, iters=2, value_hidden=8, batch_size=8, steps=3, checkpoint_every=3, log_every=1,
                       eval_every=0, workers=1, puzzles_per_call=8, max_in_flight=1, min_pool=8, pool_size=256)


@pytest.mark.ray
def test_ray_workers_make_positions_and_survive_a_kill(tmp_path: Path) -> None:
    from selfplay.sudoku_think.actors import RayFeed
    from selfplay.sudoku_think.train import train

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        heldout = heldout_forms([HARD])
        feed = RayFeed(CFG, heldout)
        first = feed.poll(wait=True)
        assert first and len(first[0]) == 8 and first[0].solutions.shape == (8, 81)
        assert all(canonical_form(g) not in heldout for g in first[0].grids[first[0].kinds == 0])
        os.kill(ray.get(feed.workers[0].pid.remote()), signal.SIGKILL)
        deadline = time.monotonic() + 120
        got = []
        while not got and time.monotonic() < deadline:
            got = feed.poll(wait=True)
        assert got and len(got[0]) == 8  # the actor was rebuilt and makes positions again
        assert not np.array_equal(got[0].grids, first[0].grids)
        feed.close()

        summary = train(CFG, tmp_path / "run", [HARD])
        assert summary["steps"] == 3 and summary["puzzles"] >= 8
        assert len(read_train_forms(tmp_path / "run")) >= 8
    finally:
        ray.shutdown()
