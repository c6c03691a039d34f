"""Tournaments: schedules, seeds and seats, resuming, worker processes, failures, the command line."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from agents.arena.records import GameRecord, read_records
from benchmarks import game_runner
from benchmarks.game_runner import GameFailedError, GameTask, run_games
from benchmarks.tournament import main as tournament_main
from benchmarks.tournament import Pairing, anchored_schedule, game_seed, pairing_tasks, play_schedule, \
    round_robin, run_schedule, split_specs
from games.cli import run_cli as cli_main
from games.core import InputError

ROOT = Path(__file__).resolve().parents[2]
FAST = ("random", "mcts:sims=8")
DETERMINISTIC = ("mcts:sims=16,eval=uniform", "mcts:sims=4,eval=uniform")


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "benchmarks.tournament", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=env)


def lines(path: Path) -> list[str]:
    return (path / "games.jsonl").read_text().splitlines()


def test_schedules() -> None:
    rr = round_robin(["a", "b", "c", "d"], 4)
    assert [(p.a, p.b) for p in rr] == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    assert all(p.games == 4 for p in rr)
    anchored = anchored_schedule(["x", "y", "r"], ["r", "s"], 2)
    assert {(p.a, p.b) for p in anchored} == {("r", "s"), ("x", "r"), ("x", "s"), ("y", "r"), ("y", "s")}
    assert len(anchored) == 5
    with pytest.raises(InputError, match="twice"):
        round_robin(["a", "a"], 2)
    with pytest.raises(InputError, match="at least two"):
        round_robin(["a"], 2)
    assert split_specs("random,mcts:sims=8,eval=uniform,stockfish:elo=1350,net:a.pt") == \
        ["random", "mcts:sims=8,eval=uniform", "stockfish:elo=1350", "net:a.pt"]


def test_seats_alternate_and_pairs_share_seed_and_opening(tmp_path: Path) -> None:
    records = play_schedule("connect_four", [Pairing(*FAST, 6)], tmp_path, workers=1, opening_plies=3,
                            progress=False)
    assert [r.specs for r in records] == [FAST, FAST[::-1]] * 3
    seeds = [r.seed for r in records]
    assert seeds[0] == seeds[1] and seeds[2] == seeds[3] and seeds[4] == seeds[5] and len(set(seeds)) == 3
    starts = [r.start for r in records]
    assert all(s is not None for s in starts)
    assert starts[0] == starts[1] and starts[2] == starts[3] and starts[0] != starts[2]
    assert seeds == [game_seed(0, *FAST, i) for i in range(6)]
    # seeds depend on the tournament seed, the specs, their order and the pair index, nothing else
    assert game_seed(0, "a", "b", 4) == game_seed(0, "a", "b", 5) != game_seed(0, "a", "b", 6)
    assert len({game_seed(0, "a", "b", 0), game_seed(1, "a", "b", 0), game_seed(0, "b", "a", 0),
                game_seed(0, "a", "c", 0)}) == 4
    assert [t.seed for t in pairing_tasks("connect_four", Pairing(*FAST, 6), 0, 3)] == seeds


def test_resume_plays_only_missing_games(tmp_path: Path) -> None:
    first = run_schedule("connect_four", [Pairing(*FAST, 4)], tmp_path, workers=1, opening_plies=2,
                         progress=False)
    assert (first.played, first.reused) == (4, 0) and len(lines(tmp_path)) == 4
    again = run_schedule("connect_four", [Pairing(*FAST, 4)], tmp_path, workers=1, opening_plies=2, progress=False)
    assert (again.played, again.reused) == (0, 4) and again.records == first.records
    # another seed still reuses every game with the same seats
    other_seed = run_schedule("connect_four", [Pairing(*FAST, 4)], tmp_path, workers=1, seed=5, progress=False)
    assert (other_seed.played, other_seed.reused) == (0, 4)
    # delete games 1 and 2, add a pairing: exactly those are played, game 1 and 2 with their own seats and seeds
    kept = lines(tmp_path)
    (tmp_path / "games.jsonl").write_text("\n".join([kept[0], kept[3]]) + "\n")
    schedule = [Pairing(*FAST, 4), Pairing("random", "mcts:sims=2", 2)]
    third = run_schedule("connect_four", schedule, tmp_path, workers=1, opening_plies=2, progress=False)
    assert (third.played, third.reused) == (4, 2) and len(lines(tmp_path)) == 6
    assert third.records[0] == first.records[0] and third.records[3] == first.records[3]
    for i in (1, 2):
        assert (third.records[i].specs, third.records[i].seed, third.records[i].start) == \
            (first.records[i].specs, first.records[i].seed, first.records[i].start)
    assert [r.specs for r in third.records[4:]] == [("random", "mcts:sims=2"), ("mcts:sims=2", "random")]
    on_disk = [GameRecord.from_json(line) for line in lines(tmp_path)]
    assert sorted(map(GameRecord.to_json, on_disk)) == sorted(map(GameRecord.to_json, third.records))


def test_two_workers_give_the_same_games_as_one(tmp_path: Path) -> None:
    schedule = round_robin([*DETERMINISTIC, "mcts:sims=8,eval=uniform"], 4)
    one = play_schedule("connect_four", schedule, tmp_path / "one", workers=1, opening_plies=4, progress=False)
    two = play_schedule("connect_four", schedule, tmp_path / "two", workers=2, opening_plies=4, progress=False)

    def key(r: GameRecord) -> tuple[object, ...]:
        return r.specs, r.seed, r.start, r.moves, r.returns

    assert [key(r) for r in one] == [key(r) for r in two]
    assert len({r.start for r in one}) > 3  # the openings differ, so the games do
    assert sorted(map(key, read_records(tmp_path / "two" / "games.jsonl"))) == sorted(map(key, two))


def test_failing_game_raises_after_finished_games_are_kept(tmp_path: Path) -> None:
    good = pairing_tasks("connect_four", Pairing(*FAST, 3), 0, 0)
    bad = GameTask(game="connect_four", pairing=("random", "nosuch"), agent_seeds=(0, 1), index=0,
                   seats=("random", "nosuch"), seed=1)
    got: list[GameRecord] = []
    with pytest.raises(GameFailedError, match=r"random vs nosuch \(game 0 .*unknown agent 'nosuch'"):
        run_games([*good, bad], lambda task, record: got.append(record), workers=2, progress=False)
    assert len(got) == 3 and sorted(r.seed for r in got) == sorted(t.seed for t in good)


def test_failure_in_process_keeps_finished_games(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = game_runner.play_game, []

    def flaky(*args: object, **kwargs: object) -> GameRecord:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("engine died")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(game_runner, "play_game", flaky)
    with pytest.raises(GameFailedError, match="game 2 .*engine died"):
        play_schedule("connect_four", [Pairing(*FAST, 4)], tmp_path, workers=1, progress=False)
    assert len(lines(tmp_path)) == 2


def test_cli_json_then_resume_and_report(tmp_path: Path) -> None:
    out = tmp_path / "t"
    args = ["connect_four", "random", "mcts:sims=8,eval=uniform", "mcts:sims=2", "--games-per-pair", "2",
            "--out", str(out), "--opening-plies", "2", "--json", "--workers", "1"]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["games_played"], data["games_reused"]) == (6, 0)
    assert set(data["ratings"]) == {"random", "mcts:sims=8,eval=uniform", "mcts:sims=2"}
    assert data["ratings"]["random"]["elo"] == 0.0 and data["ratings"]["random"]["games"] == 4
    lo, hi = data["ratings"]["mcts:sims=2"]["ci95"]
    assert lo < data["ratings"]["mcts:sims=2"]["elo"] < hi
    assert {"report.md", "report.html", "ratings.json", "ratings.png", "games.jsonl"} <= {p.name for p in out.iterdir()}
    again = json.loads(run_cli(*args, "--anchors", "random,mcts:sims=2", "--anchor", "mcts:sims=2=100").stdout)
    assert (again["games_played"], again["games_reused"]) == (0, 6)
    assert again["ratings"]["mcts:sims=2"]["elo"] == 100.0


def test_cli_default_openings_vary_the_games_of_deterministic_agents(tmp_path: Path) -> None:
    """Two deterministic searchers once replayed one game per seat (a 0/100 'result' that was two games)."""
    out = tmp_path / "d"
    proc = run_cli("connect_four", "mcts:sims=8,eval=uniform", "mcts:sims=16,eval=uniform", "--games-per-pair", "8",
                   "--out", str(out), "--json", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in lines(out)]
    assert all(r["start"] is not None for r in records)  # two random plies before each pair (connect four)
    assert len({tuple(r["moves"]) for r in records}) >= 6


@pytest.mark.parametrize("args, words", [
    (["random", "mcts:sims=abc"], "must be int"), (["random", "nosuch"], "unknown agent 'nosuch'"),
    (["random", "stockfish"], "chess only"), (["random", "random"], "given twice"),
    (["random", "mcts:sims=2", "--anchor", "mcts:sims=3=10"], "not a player"),
    (["random", "mcts:sims=2", "--games-per-pair", "0"], "at least 1")])
def test_bad_input_exits_2_before_any_game(args: list[str], words: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["connect_four", *args, "--out", str(tmp_path / "o")]
    argv += [] if "--games-per-pair" in args else ["--games-per-pair", "2"]
    assert cli_main(tournament_main, argv) == 2  # what `python -m benchmarks.tournament` runs
    err = capsys.readouterr().err
    assert err.startswith("error: ") and words in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # see test_play


def _sigint_ignored() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell starts a background job (nohup ... &)


@pytest.mark.parametrize("sent, start", [(signal.SIGINT, _sigint_default), (signal.SIGTERM, _sigint_ignored)],
                         ids=["ctrl-c", "sigterm-in-background"])
def test_ctrl_c_keeps_finished_games_and_resumes(sent: signal.Signals, start: Callable[[], None],
                                                 tmp_path: Path) -> None:
    out = tmp_path / "c"
    # one game a chunk, so games reach the file one by one, and far more games than the run can finish
    # before the signal, however loaded the machine (CI once finished a whole 800-game run before it)
    args = ["connect_four", "random", "mcts:sims=2000", "--games-per-pair", "4000", "--slots", "1",
            "--out", str(out), "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.tournament", *args], cwd=ROOT, env=env,
                            preexec_fn=start, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and (not (out / "games.jsonl").exists() or len(lines(out)) < 3):
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sent)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "re-run to resume" in err and "Traceback" not in err
    done = list(read_records(out / "games.jsonl"))
    assert 3 <= len(done) < 4000
    # the folder resumes: a schedule of n + 1 games reuses every finished game its seats can take
    n = len(done) + 1
    first_seat = sum(r.specs[0] == "random" for r in done)
    expected = min(first_seat, (n + 1) // 2) + min(len(done) - first_seat, n // 2)
    resumed = run_schedule("connect_four", [Pairing("random", "mcts:sims=2000", n)], out, workers=1, progress=False)
    assert (resumed.reused, resumed.played) == (expected, n - expected)
