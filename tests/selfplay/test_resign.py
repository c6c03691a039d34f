"""Resignation calibration on check games (selfplay/resign.py): the threshold whose false-positive rate
meets the target, computed from value traces whose outcome is known."""
from __future__ import annotations

import numpy as np
import pytest

from selfplay.core import PlayedGame, ReplayConfig, SelfPlayConfig, ConfigError
from selfplay.replay_buffer import ReplayBuffer
from selfplay.resign import GRID, NEVER, ResignCalibrator


def _trace(low: float, mover_lost: bool, plies: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """A check game where the player to move at ply 4 sees ``low`` and finally loses (or not); the other
    moves are valued near 0. Outcomes alternate sign by mover, as in self-play records."""
    values = np.zeros(plies, np.float32)
    values[4] = low
    sign = -1.0 if mover_lost else 1.0
    outcomes = np.array([sign if i % 2 == 0 else -sign for i in range(plies)], np.float32)
    return values, outcomes


def test_threshold_is_the_most_eager_one_meeting_the_target():
    cal = ResignCalibrator(target=0.05, min_resignations=20)
    rng = np.random.default_rng(0)
    # games valued -0.97 are always lost; games valued -0.72 are saved one time in three
    for _ in range(60):
        cal.add(*_trace(-0.97, True))
    for i in range(60):
        cal.add(*_trace(-0.72, mover_lost=i % 3 != 0))
    for _ in range(40):
        cal.add(*_trace(float(rng.uniform(-0.4, 0.4)), bool(rng.random() < 0.5)))
    assert cal.false_positives(0.7) == (120, 20)
    assert cal.false_positives(0.95) == (60, 0)
    assert cal.threshold(current=0.9) == pytest.approx(0.75)  # first grid value above 0.72
    # a draw counts as a false positive: the resigner did not lose
    draws = ResignCalibrator(target=0.05, min_resignations=5)
    for _ in range(10):
        values, _ = _trace(-1.0, True)
        draws.add(values, np.zeros_like(values))
    assert draws.false_positives(0.9) == (10, 10)
    assert draws.threshold(current=0.9) == NEVER


def test_threshold_waits_for_evidence_and_steps_stricter_when_all_judged_fail():
    cal = ResignCalibrator(target=0.05, min_resignations=20)
    for _ in range(19):
        cal.add(*_trace(-1.0, True))
    assert cal.threshold(current=0.9) == 0.9  # too few would-be resignations anywhere
    cal = ResignCalibrator(target=0.05, min_resignations=20)
    for i in range(40):  # all wrong often at every threshold up to 0.8; nothing seen below -0.8
        cal.add(*_trace(-0.8 + 1e-3, mover_lost=i % 2 == 0))
    judged_last = max(i for i, t in enumerate(GRID) if cal.false_positives(float(t))[0] >= 20)
    assert cal.threshold(current=0.5) == pytest.approx(GRID[judged_last + 1])
    assert cal.threshold(current=0.9) == 0.9
    with pytest.raises(ValueError):
        ResignCalibrator(target=0.0)
    with pytest.raises(ValueError):
        cal.add(np.zeros(3), np.zeros(4))


def test_buffer_calibrates_from_check_games_only():
    buf = ReplayBuffer(ReplayConfig(capacity=1000, min_positions=1), resign_target=0.05)
    for i in range(30):
        values, outcomes = _trace(-0.97, True)
        game = PlayedGame(observations=np.zeros((10, 1), np.float32), legal_masks=np.ones((10, 2), bool),
                          policies=np.full((10, 2), 0.5, np.float32), values=outcomes,
                          full_search=np.ones(10, bool), returns=np.array([-1.0, 1.0]), model_version=0, plies=10,
                          check_root_values=values if i % 2 == 0 else None)
        buf.add_game(game)
    assert len(buf.resign) == 15
    assert buf.resign_threshold(0.9) == 0.9  # 15 < 20 would-be resignations: unchanged
    assert ReplayBuffer(ReplayConfig(capacity=10, min_positions=1)).resign_threshold(0.8) == 0.8
    with pytest.raises(ConfigError, match="resign_target_false_positives"):
        SelfPlayConfig(resign_target_false_positives=1.0)


def test_failing_thresholds_never_make_resignation_more_eager_and_resume_reads_the_log(tmp_path):
    from selfplay.training import last_logged

    cal = ResignCalibrator(target=0.05, min_resignations=20)
    for i in range(40):  # 0.5 .. 0.6 judged and wrong half the time; nothing below -0.6
        cal.add(*_trace(-0.6 - 1e-3, mover_lost=i % 2 == 0))
    assert cal.threshold(current=0.9) == 0.9  # the next grid value (0.65) would be more eager
    assert cal.threshold(current=0.5) == pytest.approx(0.65)
    with pytest.raises(ConfigError, match="resign_threshold > 0"):
        SelfPlayConfig(resign_target_false_positives=0.05)
    with pytest.raises(ConfigError, match="resign_check_fraction > 0"):
        SelfPlayConfig(resign_threshold=0.9, resign_target_false_positives=0.05, resign_check_fraction=0.0)
    log = tmp_path / "metrics.jsonl"
    log.write_text('{"step": 20, "resign_threshold": 0.9}\n{"step": 40, "resign_threshold": 0.75}\n'
                   '{"step": 60, "resign_threshold": 0.7}\n{"step": 80, "resign_thr')
    assert last_logged(log, "resign_threshold", 40, 0.9) == 0.75  # lines past the checkpoint don't count
    assert last_logged(log, "resign_threshold", 100, 0.9) == 0.7
    assert last_logged(tmp_path / "none.jsonl", "resign_threshold", 100, 0.9) == 0.9
