"""Checkpoints: round trip, atomic write, newest-file lookup, clear errors for bad files."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from agents.nets.checkpoint import (CheckpointError, TrainingMetadata, checkpoint_path, latest_checkpoint,
                               list_checkpoints, load_checkpoint, load_network, save_checkpoint)
from agents.nets.core import NetConfig, build_network
from games.core import InputError
from games.registry import make_game


def _net():
    torch.manual_seed(0)
    return build_network(NetConfig(kind="resnet", blocks=1, channels=8), make_game("connect_four").spec)


def test_round_trip_weights_config_metadata(tmp_path: Path) -> None:
    net = _net()
    meta = TrainingMetadata(learner_steps=123, selfplay_games=7, samples=300, wall_seconds=1.5,
                            network_evaluations=1000, flops_per_evaluation=2000)
    opt = torch.optim.AdamW(net.parameters())
    net(torch.rand(2, 3, 6, 7))[0].sum().backward()
    opt.step()
    path = save_checkpoint(checkpoint_path(tmp_path, 123), net, "connect_four", meta, opt.state_dict())
    assert path.name == "000123.pt" and path.parent.name == "checkpoints"
    assert [p.name for p in path.parent.iterdir()] == ["000123.pt"]  # no temp file left behind
    ckpt = load_checkpoint(path)
    assert ckpt.game == "connect_four" and ckpt.network == net.config
    assert ckpt.metadata == meta and ckpt.metadata.compute_flops == 2e6
    opt2 = torch.optim.AdamW(net.parameters())
    opt2.load_state_dict(ckpt.optimizer)
    model, _ = load_network(path, make_game("connect_four"))
    x = torch.rand(3, 3, 6, 7)
    net.eval()
    with torch.no_grad():
        assert torch.allclose(model(x)[0], net(x)[0]) and torch.allclose(model(x)[1], net(x)[1])


def test_latest_checkpoint_orders_by_step(tmp_path: Path) -> None:
    net = _net()
    assert latest_checkpoint(tmp_path) is None
    for step in (5, 100, 20):
        save_checkpoint(checkpoint_path(tmp_path, step), net, "connect_four", TrainingMetadata(learner_steps=step))
    (tmp_path / "checkpoints" / "notes.txt").write_text("x")
    assert [p.name for p in list_checkpoints(tmp_path)] == ["000005.pt", "000020.pt", "000100.pt"]
    assert load_checkpoint(latest_checkpoint(tmp_path)).metadata.learner_steps == 100


def test_bad_files_give_one_line_input_errors(tmp_path: Path) -> None:
    missing = tmp_path / "none.pt"
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(missing)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"this is not a torch file")
    with pytest.raises(InputError, match="corrupt") as err:
        load_checkpoint(junk)
    assert "\n" not in str(err.value)
    foreign = tmp_path / "foreign.pt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, foreign)
    with pytest.raises(CheckpointError, match="not a gamesearch-checkpoint"):
        load_checkpoint(foreign)
    truncated = tmp_path / "trunc.pt"
    good = save_checkpoint(tmp_path / "good.pt", _net(), "connect_four", TrainingMetadata())
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint(truncated)
    other = SimpleNamespace(spec=dataclasses.replace(make_game("connect_four").spec, name="other"))
    with pytest.raises(CheckpointError, match="connect_four network, not other"):
        load_network(good, other)  # type: ignore[arg-type]
    wider = SimpleNamespace(spec=dataclasses.replace(make_game("connect_four").spec, num_actions=9, name="connect_four"))
    with pytest.raises(CheckpointError, match="does not fit"):
        load_network(good, wider)  # type: ignore[arg-type]


def test_file_is_weights_only_loadable(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "a.pt", _net(), "connect_four", TrainingMetadata(learner_steps=1))
    data = torch.load(path, weights_only=True)
    assert data["version"] == 1 and set(data) >= {"weights", "network", "metadata", "game"}
