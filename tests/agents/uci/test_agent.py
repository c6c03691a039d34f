"""The ``uci`` agent: spec options, any UCI engine as a player, clocks and losses on time, engine failures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import chess
import pytest

from agents import play
from agents.arena.match import play_game
from agents.arena.records import read_records
from agents.core import AgentError, AgentSpecError
from agents.random import RandomAgent
from agents.registry import make_agent
from agents.uci.agent import UciAgent
from games.registry import make_game

ROOT = Path(__file__).resolve().parents[3]
FAKE = Path(__file__).with_name("fake_engine.py")
STOCKFISH = "/usr/games/stockfish"
ETHEREAL = "/usr/games/ethereal-chess"
needs_stockfish = pytest.mark.skipif(not os.access(STOCKFISH, os.X_OK), reason="stockfish not installed")


def _fake(mode: str, extra: str = "") -> str:
    return f"uci:cmd=python {FAKE} {mode},name=fake{extra}"


def test_spec_options() -> None:
    with make_agent(_fake("slow", ",option.Hash=4,movetime=0.5,tc=40/60+1"), make_game("chess")) as agent:
        assert isinstance(agent, UciAgent)
        assert agent.options.option == (("Hash", "4"),) and agent.argv[0] == sys.executable
        assert agent.engine is not None and agent.engine.protocol.config["Hash"] == 4
        limit, most = agent._limit(0)
        assert (limit.time, limit.white_clock, limit.white_inc, limit.remaining_moves) == (0.5, 60.0, 1.0, 40)
        assert most == 0.5


@pytest.mark.parametrize("spec, message", [
    ("uci", "give the engine's command"),
    ("uci:cmd=x,tc=10+", "time control '10\\+' is not"),
    ("uci:cmd=x,option=3", "unknown option 'option'.*option.NAME"),
    ("uci:cmd=x,option.=3", "needs a name after 'option.'"),
    ("uci:cmd=x,nodes=0", "nodes must be at least 1"),
])
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(AgentSpecError, match=message):
        make_agent(spec, make_game("chess"))


def test_engine_errors() -> None:
    game = make_game("chess")
    with pytest.raises(AgentError, match="engine '/nonexistent/engine' not found"):
        make_agent("uci:cmd=/nonexistent/engine", game)
    with pytest.raises(AgentError, match="fake did not finish the UCI handshake within 1 s"):
        make_agent(_fake("garbage", ",init_timeout=1"), game)
    with pytest.raises(AgentError, match="fake has no option 'Threads'"):
        make_agent(_fake("slow", ",option.Threads=2"), game)
    with pytest.raises(AgentError, match="fake rejected its options"):
        make_agent(_fake("slow", ",option.Hash=99"), game)
    for mode, message in [("dies", "fake died or failed mid-game"), ("illegal", "fake failed to play a move"),
                          ("unreadable", "fake failed to play a move")]:
        with make_agent(_fake(mode), game) as agent, pytest.raises(AgentError, match=message):
            agent.act(game.new_state())


def test_command_line_errors_exit_2_or_1(tmp_path: Path) -> None:
    def run(spec: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "agents.play", "chess", spec, "random", "--out", "-"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    missing = run("uci:cmd=/nonexistent/engine")
    assert missing.returncode == 2
    assert missing.stderr == "error: engine '/nonexistent/engine' not found (uci:cmd=/nonexistent/engine)\n"
    garbage = run(_fake("garbage", ",init_timeout=1"))
    assert garbage.returncode == 2 and garbage.stderr.startswith("error: fake did not finish the UCI handshake")
    dies = run(_fake("dies"))  # mid-match: the finished games are kept, exit 1 (agents.play's contract)
    assert dies.returncode == 1 and "error: fake died or failed mid-game" in dies.stderr
    assert "Traceback" not in dies.stderr + garbage.stderr + missing.stderr


def test_loss_on_time() -> None:
    game = make_game("chess")
    with make_agent(_fake("slow 0.25", ",tc=0.6"), game) as slow:
        record = play_game(game, [slow, RandomAgent(0)], seed=0, specs=["slow", "random"])
    assert record.termination == "time_forfeit" and record.returns == (-1.0, 1.0)
    assert record.plies == 4  # 0.25 s a move from 0.6 s: the third move flags, unplayed
    assert isinstance(slow, UciAgent) and slow.clock is not None and slow.clock.remaining[0] < 0


@needs_stockfish
def test_stockfish_through_the_generic_agent() -> None:
    game = make_game("chess")
    with make_agent(f"uci:cmd={STOCKFISH},option.UCI_Elo=1500,movetime=0.05", game) as agent:
        assert isinstance(agent, UciAgent) and agent.engine is not None
        config = agent.engine.protocol.config
        assert config["UCI_LimitStrength"] is True and config["UCI_Elo"] == 1500
        record = play_game(game, [agent, RandomAgent(0)], seed=0, max_plies=12, specs=["sf", "random"])
    board = chess.Board()
    for san in record.moves:
        board.push_san(san)
    # Stockfish's limited strength draws its moves at random (seeded by the clock): against random it
    # sometimes mates inside the 12 plies (seen once: mate at ply 11)
    assert record.plies == 12 or (board.is_checkmate() and record.termination == "checkmate"), record


@pytest.mark.skipif(not os.access(ETHEREAL, os.X_OK), reason="ethereal-chess not installed (apt-get install ethereal-chess)")
def test_another_debian_engine() -> None:
    game = make_game("chess")
    with make_agent(f"uci:cmd={ETHEREAL},depth=3,option.Hash=8", game) as agent:
        record = play_game(game, [RandomAgent(1), agent], seed=1, max_plies=200, specs=["random", "ethereal"])
    assert record.returns[1] >= 0 and record.plies > 0


@needs_stockfish
def test_clock_match_through_the_uci_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ours = "uci:cmd=python -m agents.uci --hash 16 --move-overhead 200,tc=4+0.1"  # room for a busy machine
    code = play.main(["chess", ours, "stockfish:elo=1350,tc=4+0.1", "--games", "2", "--max-plies", "80",
                      "--out", str(tmp_path), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["games"] == 2 and summary["status"] == "completed"
    records = list(read_records(tmp_path / "games.jsonl"))
    assert len(records) == 2
    assert all(r.termination != "time_forfeit" for r in records), [(r.specs, r.termination) for r in records]
