"""The match command line, run as a subprocess (and in-process for the engine-death case)."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import chess
import chess.pgn
import pytest

import agents.play as play
from agents.core import Agent, AgentError
from agents.arena.records import read_records
from agents.stockfish import StockfishAgent, find_stockfish
from games.cli import run_cli
from games.core import State

ROOT = Path(__file__).resolve().parents[2]
try:
    find_stockfish(None)
    HAVE_STOCKFISH = True
except AgentError:
    HAVE_STOCKFISH = False
needs_stockfish = pytest.mark.skipif(not HAVE_STOCKFISH, reason="stockfish not installed (apt-get install stockfish)")


def run_play(*args: str, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agents.play", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or ROOT, env=env)


def default_sigint() -> None:
    """In the child before exec: Ctrl-C handled by default. A shell starts background jobs with SIGINT
    ignored, children inherit that, and Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def read_pgn(path: Path) -> list[chess.pgn.Game]:
    games = []
    with path.open() as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            games.append(game)
    return games


@needs_stockfish
def test_chess_against_stockfish_writes_replayable_pgn(tmp_path: Path) -> None:
    out = tmp_path / "d"
    proc = run_play("chess", "random", "stockfish:depth=1", "--games", "4", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["games"] == 4 and summary["wins"] + summary["draws"] + summary["losses"] == 4
    assert {"score", "elo", "elo_ci95"} <= set(summary)
    records = list(read_records(out / "games.jsonl"))
    games = read_pgn(out / "games.pgn")
    assert len(records) == len(games) == 4
    for i, (record, game) in enumerate(zip(records, games)):
        white, black = ("random", "stockfish:depth=1") if i % 2 == 0 else ("stockfish:depth=1", "random")
        assert (game.headers["White"], game.headers["Black"]) == (white, black) == record.specs
        assert game.headers["Termination"] == record.termination and not game.errors
        board = game.board()
        for move, san in zip(game.mainline_moves(), record.moves, strict=True):
            assert move in board.legal_moves and board.san(move) == san
            board.push(move)
        outcome = board.outcome(claim_draw=True)
        expected = {1.0: "1-0", -1.0: "0-1", 0.0: "1/2-1/2"}[record.returns[0]]
        assert game.headers["Result"] == expected
        if outcome is not None and outcome.termination == chess.Termination.CHECKMATE:
            assert outcome.result() == expected
    # each opening is played twice with colours swapped: games 1-2 and 3-4 share their start
    assert records[0].start == records[1].start and records[2].start == records[3].start
    assert records[0].start != records[2].start and "FEN" in games[0].headers
    assert json.loads((out / "summary.json").read_text())["status"] == "completed"


@pytest.mark.parametrize("game", ["connect_four", "kuhn_poker", "leduc_poker", "holdem_limit", "openspiel:hex"])
def test_random_matches_run_to_completion(game: str, tmp_path: Path) -> None:
    proc = run_play(game, "random", "random:seed=9", "--games", "3", "--out", str(tmp_path), "--json", "--seed", "5")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["games"] == 3 and summary["status"] == "completed"
    records = list(read_records(tmp_path / "games.jsonl"))
    assert len(records) == 3 and all(r.finished for r in records)
    assert [r.specs[0] for r in records] == ["random", "random:seed=9", "random"]
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["provenance"]["command"] == (f"python -m agents.play {game} random random:seed=9 --games 3 "
                                                f"--out {tmp_path} --json --seed 5")
    poker = "poker" in game or "holdem" in game
    assert ("mbb_per_hand" in summary) == poker and ("mbb_ci95" in summary) == poker
    assert (tmp_path / "hands.txt").exists() == poker
    if poker:
        assert (tmp_path / "hands.txt").read_text().count("Hand #") == 3
        assert records[0].seed == records[1].seed  # a deal is played from both seats


def test_leduc_tabular_match_reports_aivat(tmp_path: Path) -> None:
    proc = run_play("leduc_poker", "cfr:iters=30", "cfr:iters=3", "--games", "600", "--out", "-", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    plain, aivat = summary["mbb_ci95"], summary["aivat_mbb_ci95"]
    assert aivat[0] <= summary["aivat_mbb_per_hand"] <= aivat[1]
    assert aivat[1] - aivat[0] < 0.6 * (plain[1] - plain[0])  # measured ~0.25-0.3
    proc = run_play("leduc_poker", "cfr:iters=30", "random", "--games", "4", "--out", "-", "--json")
    assert "aivat_mbb_per_hand" not in json.loads(proc.stdout)  # random exposes no strategy table


def test_start_from_fen_and_moves(tmp_path: Path) -> None:
    fen = "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2"
    proc = run_play("chess", "random", "random", "--games", "2", "--out", str(tmp_path), "--fen", fen,
                    "--moves", "Nf3 b8c6", "--max-plies", "10")
    assert proc.returncode == 0, proc.stderr
    assert "Elo difference" in proc.stdout
    games = read_pgn(tmp_path / "games.pgn")
    board = chess.Board(fen)
    board.push_san("Nf3")
    board.push_san("Nc6")
    assert [g.headers["FEN"] for g in games] == [board.fen()] * 2 and games[0].headers["Result"] == "*"


@pytest.mark.parametrize("args, words", [
    (["tictac", "random", "random"], "unknown game 'tictac'"),
    (["chess", "random", "alphazero"], "unknown agent 'alphazero'"),
    (["chess", "random", "stockfish:depth=abc"], "must be int"),
    (["chess", "random", "stockfish:path=/nonexistent"], "stockfish not found at /nonexistent"),
    (["chess", "random", "random", "--fen", "not a fen"], "fen"),
    (["chess", "random", "random", "--moves", "e4 e4"], "--moves: move 2"),
    (["connect_four", "random", "random", "--fen", "8/8/8/8/8/8/8/8 w - - 0 1"], "--fen is for chess"),
    (["connect_four", "random", "random", "--games", "0"], "--games must be at least 1"),
    (["connect_four", "random", "stockfish"], "chess only"),
    (["connect_four", "random"], "needs two agents"),
    (["kuhn_poker", "random", "random", "--openings", "2"], "chance"),
    (["connect_four", "random", "random", "--max-plies", "-3"], "--max-plies must be at least 1"),
    (["connect_four", "random", "random", "--max-plies", "0"], "--max-plies must be at least 1"),
    (["connect_four", "random", "random", "--seed", "-1"], "--seed must be >= 0"),
    (["connect_four", "random", "random", "--openings", "-1"], "--openings must be >= 0"),
    (["connect_four", "random", "random", "--games", "x"], "invalid int value"),
    (["connect_four", "random", "random", "--sprt", "elo0=0"], "needs elo1"),
    (["connect_four", "random", "random", "--sprt", "elo1=10"], "needs elo0"),
    (["connect_four", "random", "random", "--sprt", "elo0=0,elo1=nan"], "finite"),
    (["connect_four", "random", "random", "--generate", "3"], "--generate is for one-player games"),
    (["sudoku", "solver", "random", "--generate", "1"], "one-player game"),
    (["sudoku", "solver"], "--puzzles FILE or --generate N"),
    (["sudoku", "solver", "--generate", "1", "--max-plies", "5"], "--max-plies is for two-player games"),
    (["sudoku", "solver", "--generate", "1", "--sprt", "elo0=0,elo1=10"], "--sprt is for two-player games"),
    (["sudoku", "solver", "--generate", "0"], "--generate must be >= 1"),
    (["sudoku", "solver", "--generate", "2", "--games", "0"], "--games must be at least 1"),
    (["sudoku", "solver", "--puzzles", "games/sudoku/data/hard.txt", "--min-guesses", "3"], "--min-guesses is for"),
    (["sudoku", "solver", "--puzzles", "/nonexistent/puzzles.txt"], "cannot read --puzzles"),
    (["sudoku", "solver", "--puzzles", "x", "--generate", "2"], "not allowed with argument"),
    (["connect_four", "random", "random", "--concurrent", "0"], "--concurrent must be at least 1"),
    (["leduc_poker", "random", "random", "--concurrent", "4"], "--concurrent is for perfect-information"),
    (["chess", "random", "mcts:net=models/chess/checkpoints/011485.pt,backend=tpu"], "unknown backend 'tpu'"),
    (["chess", "random", "mcts:net=/nonexistent/net.onnx,backend=onnx"], "not found"),
])
def test_bad_input_is_one_line_and_status_2(args: list[str], words: str, tmp_path: Path) -> None:
    proc = run_play(*args, "--out", str(tmp_path / "o"), timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("error: ") and words.lower() in proc.stderr.lower()
    assert not (tmp_path / "o").exists()


def test_a_wrong_onnx_file_is_one_error_line(tmp_path: Path) -> None:
    garbage = tmp_path / "net.onnx"
    garbage.write_bytes(b"not a model")
    proc = run_play("chess", "random", f"mcts:net={garbage},backend=onnx", "--out", str(tmp_path / "o"), timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("error: cannot load ONNX model") and not (tmp_path / "o").exists()


def test_concurrent_games_write_the_records_of_one_by_one_play(tmp_path: Path) -> None:
    """--concurrent N: one search for all games in flight, the same games (and files) as one by one."""
    base = ["chess", "mcts:sims=24,eval=material", "mcts:sims=12,eval=rollout", "--games", "6", "--max-plies", "40"]
    one = run_play(*base, "--out", str(tmp_path / "one"), timeout=300)
    many = run_play(*base, "--concurrent", "4", "--out", str(tmp_path / "many"), timeout=300)
    assert one.returncode == many.returncode == 0, one.stderr + many.stderr
    lines = [[json.loads(x) for x in (tmp_path / d / "games.jsonl").read_text().splitlines()] for d in ("one", "many")]
    for rows in lines:
        for row in rows:
            row.pop("seconds")
    assert len(lines[0]) == 6 and lines[0] == lines[1]


def test_default_and_no_output_folders(tmp_path: Path) -> None:
    assert run_play("connect_four", "random", "random", "--games", "1", "--out", "-", cwd=tmp_path).returncode == 0
    assert list(tmp_path.iterdir()) == []
    assert run_play("connect_four", "random", "random", "--games", "1", cwd=tmp_path).returncode == 0
    folders = list((tmp_path / "runs" / "matches").iterdir())
    assert len(folders) == 1 and len(list(read_records(folders[0] / "games.jsonl"))) == 1


@needs_stockfish
def test_ctrl_c_keeps_finished_games(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "agents.play", "chess", "stockfish:movetime=0.02", "random",
                             "--games", "200", "--out", str(tmp_path), "--json"], cwd=ROOT, env=env,
                            preexec_fn=default_sigint,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    jsonl = tmp_path / "games.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (jsonl.exists() and jsonl.read_text().count("\n") >= 1):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted after" in stderr and "Traceback" not in stderr
    records = list(read_records(jsonl))
    summary = json.loads(stdout)
    assert 1 <= len(records) == summary["games"] < 200 and summary["status"] == "interrupted"
    assert len(read_pgn(tmp_path / "games.pgn")) == len(records)


class _DiesAfterFirstGame(Agent):
    """Wraps a Stockfish agent and kills its engine process when the second game starts."""

    def __init__(self, inner: StockfishAgent) -> None:
        self.inner, self.games = inner, 0

    def reset(self) -> None:
        self.games += 1
        if self.games == 2 and self.inner.pid is not None:
            os.kill(self.inner.pid, signal.SIGKILL)

    def act(self, state: State) -> int:
        return self.inner.act(state)

    def close(self) -> None:
        self.inner.close()


@needs_stockfish
def test_engine_death_keeps_finished_games(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    made: list[Agent] = []
    original = play.make_agent

    def make_agent(spec: str, game, seed: int = 0) -> Agent:  # type: ignore[no-untyped-def]
        agent = original(spec, game, seed)
        if isinstance(agent, StockfishAgent):
            agent = _DiesAfterFirstGame(agent)
        made.append(agent)
        return agent

    monkeypatch.setattr(play, "make_agent", make_agent)
    code = play.main(["chess", "stockfish:depth=1", "random", "--games", "4", "--out", str(tmp_path), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert "stockfish died" in captured.err
    assert json.loads(captured.out)["games"] == 1
    assert len(list(read_records(tmp_path / "games.jsonl"))) == 1 == len(read_pgn(tmp_path / "games.pgn"))
    assert isinstance(made[0], _DiesAfterFirstGame) and made[0].inner.engine is None  # closed


def test_sudoku_takes_the_first_n_puzzles_and_writes_a_summary(tmp_path: Path) -> None:
    proc = run_play("sudoku", "solver", "--puzzles", "games/sudoku/data/hard.txt", "--games", "3",
                    "--out", str(tmp_path), "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["puzzles"] == 3
    hard = (ROOT / "games/sudoku/data/hard.txt").read_text().splitlines()
    lines = [json.loads(line) for line in (tmp_path / "puzzles.jsonl").read_text().splitlines()]
    assert [line["puzzle"] for line in lines] == hard[:3]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["solved"] == 3 and summary["provenance"]["command"].startswith("python -m agents.play sudoku")


def test_help_shows_the_puzzle_options() -> None:
    proc = run_play("--help", timeout=60)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    for flag in ("--puzzles", "--generate", "--min-guesses", "sudoku: the first N puzzles"):
        assert flag in text, flag


def test_an_interrupt_while_a_game_is_written_still_counts_it(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C right as the first game is written: the files and the summary agree on one game (the
    interrupt once fell between the two and the summary said 0 of the file's 1)."""
    write = play._Outputs.write

    def write_then_interrupt(self: object, *args: object, **kwargs: object) -> None:
        write(self, *args, **kwargs)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)  # where the handler would run if the write were not shielded

    monkeypatch.setattr(play._Outputs, "write", write_then_interrupt)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = run_cli(play.main, ["connect_four", "random", "random", "--games", "10", "--out", str(tmp_path),
                                   "--json"])
    finally:
        signal.signal(signal.SIGINT, before)
    assert code == 130
    summary = json.loads(capsys.readouterr().out)
    records = list(read_records(tmp_path / "games.jsonl"))
    assert summary["status"] == "interrupted" and summary["games"] == len(records) == 1
    assert json.loads((tmp_path / "summary.json").read_text())["games"] == 1
