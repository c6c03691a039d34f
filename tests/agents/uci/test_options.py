"""The option table: declarations as UCI writes them, validated setoption, Hash -> nodes."""
from __future__ import annotations

import pytest

from agents.uci.options import BY_NAME, BYTES_PER_NODE, MATERIAL, OPTIONS, OptionError, max_nodes, parse_setoption
from tests.agents.uci.session import Session


def test_declarations() -> None:
    lines = {option.name: option.declaration() for option in OPTIONS}
    assert lines["Hash"] == "option name Hash type spin default 256 min 1 max 65536"
    assert lines["Move Overhead"] == "option name Move Overhead type spin default 50 min 0 max 5000"
    assert lines["CPuct"] == "option name CPuct type string default 1.25"
    assert lines["Backend"] == "option name Backend type combo default auto var auto var torch var onnx var cuda"
    assert lines["UCI_ShowWDL"] == "option name UCI_ShowWDL type check default false"
    assert lines["Clear Hash"] == "option name Clear Hash type button"
    assert lines["WeightsFile"] == f"option name WeightsFile type string default {MATERIAL}"
    assert {"Threads", "MultiPV", "MinibatchSize", "Ponder", "UCI_Chess960", "Temperature", "NodesPerMove"} <= set(lines)


@pytest.mark.parametrize("words, name, value", [
    ("name Hash value 64", "Hash", 64),
    ("name hash value 64", "Hash", 64),
    ("name Move Overhead value 250", "Move Overhead", 250),
    ("name CPuct value 2.5", "CPuct", 2.5),
    ("name Backend value ONNX", "Backend", "onnx"),
    ("name UCI_ShowWDL value TRUE", "UCI_ShowWDL", True),
    ("name WeightsFile value some dir/net.pt", "WeightsFile", "some dir/net.pt"),
    ("name Clear Hash", "Clear Hash", True),
])
def test_parse_setoption(words: str, name: str, value: object) -> None:
    option, parsed = parse_setoption(words.split())
    assert option.name == name and parsed == value


@pytest.mark.parametrize("words, message", [
    ("name Hash value 0", "Hash must lie in [1, 65536]; got 0"),
    ("name Hash value big", "Hash must be an integer; got 'big'"),
    ("name CPuct value -1", "CPuct must lie in [0, 100]"),
    ("name CPuct value nan", "CPuct must lie in"),
    ("name Temperature value warm", "Temperature must be a number"),
    ("name Backend value tpu", "Backend must be one of auto, torch, onnx, cuda"),
    ("name Ponder value maybe", "Ponder must be true or false"),
    ("name UCI_Chess960 value true", "UCI_Chess960 can only be false"),
    ("name Frobnicate value 1", "unknown option 'Frobnicate'"),
    ("name Hash", "needs 'value VALUE'"),
    ("Hash value 3", "setoption needs 'name NAME [value VALUE]'"),
])
def test_bad_setoption(words: str, message: str) -> None:
    with pytest.raises(OptionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_setoption(words.split())


def test_engine_reports_bad_values_and_keeps_the_old_one() -> None:
    session = Session()
    try:
        session.send("setoption name Move Overhead value 300", "setoption name Move Overhead value -5",
                     "setoption name WeightsFile value /no/such/net.pt", "setoption name MultiPV value 0")
        errors = [t for t in session.texts() if t.startswith("info string error")]
        assert len(errors) == 3
        assert "Move Overhead must lie in [0, 5000]; got -5" in errors[0]
        assert "no network file '/no/such/net.pt'" in errors[1] and "MultiPV" in errors[2]
        values = session.engine.values
        assert values["Move Overhead"] == 300 and values["WeightsFile"] == MATERIAL and values["MultiPV"] == 1
    finally:
        session.close()


def test_hash_to_nodes() -> None:
    assert BYTES_PER_NODE == 616
    assert max_nodes(256) == 256 * 2**20 // 616 == 435_771
    assert max_nodes(1) == 1702 and max_nodes(0) == 1024
    session = Session({"Hash": 8})
    try:
        session.send("isready")
        assert session.engine.mcts is not None
        assert session.engine.mcts.tree.parent.shape[1] == max_nodes(8)  # allocated up front
    finally:
        session.close()
    assert BY_NAME["hash"].name == "Hash"
