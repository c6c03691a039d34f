"""The no-limit blueprint trainer: checkpoints, resumption, metrics, configuration, the command line."""
from __future__ import annotations

import json
from pathlib import Path

import numba
import numpy as np
import pytest

from games.core import InputError
from search.cfr.nl_blueprint import checkpoints, load_blueprint, train
from search.cfr.nl_config import BlueprintConfig, BlueprintConfigError, deal_source
from search.cfr.nl_deals import StrengthDeals
from search.cfr.nl_eval import KuhnDeals
from search.cfr.nl_tree import ActionAbstraction, node_after

POT = ((1.0,),)
KUHN = BlueprintConfig(game="holdem_nolimit(stack=12,blinds=1/2)", cards="kuhn",
                       actions=ActionAbstraction(preflop=POT, flop=POT, turn=POT, river=POT),
                       iterations=40_000, batch=4_000, threads=1, discount_every=4_000, discount_until=20_000,
                       prune_after=20_000, prune_threshold=-50.0, regret_floor=-1e6, checkpoint_every=10_000,
                       keep_checkpoints=2, eval_deals=200, seed=1)


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def _metrics(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_training_logs_proxies_and_keeps_checkpoints(tmp_path: Path) -> None:
    state = train(KUHN, tmp_path)
    assert state.iterations == 40_000 and state.discounts == 5
    assert [p.name for p in checkpoints(tmp_path)] == ["checkpoint-000000030000.npz", "checkpoint-000000040000.npz"]
    lines = _metrics(tmp_path)
    assert [m["iterations"] for m in lines] == [10_000, 20_000, 30_000, 40_000]
    assert lines[-1]["exploitability_mbb"] < 0.3 * lines[0]["exploitability_mbb"]
    assert lines[-1]["regret_bound"] < lines[0]["regret_bound"]
    assert lines[-1]["pruned_share"] > 0.9 and lines[0]["pruned_share"] == 0.0
    assert "vs_previous_mbb" in lines[1] and "vs_previous_mbb" not in lines[0]
    assert lines[-1]["vs_uniform_mbb"] > 3 * lines[-1]["vs_uniform_mbb_stderr"] > 0
    assert BlueprintConfig.from_dict(json.loads((tmp_path / "config.json").read_text())) == KUHN


def test_resumed_run_equals_uninterrupted(tmp_path: Path) -> None:
    whole = train(KUHN, tmp_path / "whole")
    train(BlueprintConfig.from_dict(KUHN.to_dict() | {"iterations": 18_000}), tmp_path / "split")
    resumed = train(KUHN, tmp_path / "split")
    np.testing.assert_array_equal(whole.regrets, resumed.regrets)
    np.testing.assert_array_equal(whole.strategy_sum, resumed.strategy_sum)
    assert [m["iterations"] for m in _metrics(tmp_path / "split")] == [10_000, 18_000, 20_000, 30_000, 40_000]


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    train(BlueprintConfig.from_dict(KUHN.to_dict() | {"iterations": 4_000}), tmp_path)
    with pytest.raises(BlueprintConfigError, match="kuhn_cards"):
        train(BlueprintConfig.from_dict(KUHN.to_dict() | {"kuhn_cards": 4}), tmp_path)
    path = checkpoints(tmp_path)[-1]
    with pytest.raises(BlueprintConfigError, match="card abstraction kuhn-3, not kuhn-5"):
        load_blueprint(path, KuhnDeals(5))
    blueprint = load_blueprint(path, KuhnDeals(3))
    assert blueprint.iterations == 4_000
    probs = blueprint.action_probs(0, 2)
    assert probs.shape == (blueprint.tree.num_children[0],) and abs(float(probs.sum()) - 1.0) < 1e-6


def test_holdem_blueprint_with_strength_buckets(tmp_path: Path) -> None:
    config = BlueprintConfig(game="holdem_nolimit(stack=1000)", cards="strength", strength_buckets=3,
                             actions=ActionAbstraction(preflop=((1.0,),), flop=((1.0,),), turn=(), river=()),
                             iterations=3_000, batch=1_000, threads=2, discount_every=1_000, prune_after=2_000,
                             checkpoint_every=1_500, eval_deals=300, seed=2)
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    train(config, tmp_path)
    lines = _metrics(tmp_path)
    assert [m["iterations"] for m in lines] == [1_500, 3_000]
    assert lines[-1]["infosets_touched"] > 500 and lines[-1]["nodes_per_iteration"] > 10
    blueprint = load_blueprint(checkpoints(tmp_path)[-1], StrengthDeals(3, 3, 3, seed=2))
    facing_shove = node_after(blueprint.tree, [1000])
    aces, trash = 168, 13 * 5 + 0  # preflop classes of AA and 7-2 offsuit
    assert blueprint.action_probs(facing_shove, aces)[1] > blueprint.action_probs(facing_shove, trash)[1]


def test_config_json_is_checked() -> None:
    data = KUHN.to_dict()
    assert BlueprintConfig.from_dict(json.loads(json.dumps(data))) == KUHN
    with pytest.raises(BlueprintConfigError, match="unknown field"):
        BlueprintConfig.from_dict(data | {"iteratons": 5})
    with pytest.raises(BlueprintConfigError, match="config.batch must be int"):
        BlueprintConfig.from_dict(data | {"batch": "big"})
    with pytest.raises(BlueprintConfigError, match="cards must be one of"):
        BlueprintConfig(cards="exact")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="stack"):
        BlueprintConfig(game="holdem_nolimit(stack=1)")
    assert isinstance(deal_source(KUHN), KuhnDeals)
