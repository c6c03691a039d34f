"""Puzzle mode and the ``solver`` agent: answers are checked, wrong ones count as failures."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agents.core import Agent
from agents.arena.puzzles import check_outcome, main, run_puzzle, summarize
from agents.core import PuzzleResult, PuzzleSolver
from agents.registry import make_agent
from games.cli import run_cli
from games.core import State
from games.registry import make_game
from games.sudoku.grid import read_puzzle_lines

ROOT = Path(__file__).resolve().parents[3]
HARD = read_puzzle_lines((ROOT / "games" / "sudoku" / "data" / "hard.txt").read_text().splitlines())


class _Liar(Agent):
    """Claims an answer breaking the rules (the true solution with two cells swapped)."""

    def act(self, state: State) -> int:
        raise AssertionError("a PuzzleSolver is never driven through act")

    def solve_puzzle(self, state: State) -> PuzzleResult:
        true = make_agent("solver", make_game("sudoku")).solve_puzzle(state)
        blanks = [i for i, ch in enumerate(str(state)) if ch == "."]
        chars = list(true.answer)
        i, j = blanks[0], next(k for k in blanks if true.answer[k] != true.answer[blanks[0]])
        chars[i], chars[j] = chars[j], chars[i]
        return PuzzleResult(answer="".join(chars), guesses=0, nodes=0, seconds=0.0)


class _Quitter(Agent):
    """Answers with the puzzle itself (incomplete)."""

    def act(self, state: State) -> int:
        raise AssertionError("never called")

    def solve_puzzle(self, state: State) -> PuzzleResult:
        return PuzzleResult(answer=str(state), guesses=0, nodes=0, seconds=0.0)


def test_solver_agent_plays_to_the_solution_through_act() -> None:
    game = make_game("sudoku")
    agent = make_agent("solver:level=1", game)
    assert isinstance(agent, PuzzleSolver)
    state = game.state_from_string(HARD[0])
    while not state.is_terminal():
        state.apply(agent.act(state))
    assert state.returns().tolist() == [1.0]
    assert check_outcome(HARD[0], str(state)) is None
    assert str(state) == agent.solve_puzzle(game.state_from_string(HARD[0])).answer


def test_solver_agent_on_a_doomed_grid_still_moves_legally() -> None:
    game = make_game("sudoku")
    cells = list("1234567.." + "." * 72)
    cells[3 * 9 + 7] = cells[6 * 9 + 8] = "9"  # r1c8 and r1c9 can only be 8: no solution, not yet stuck
    state = game.state_from_string("".join(cells))
    assert not state.is_terminal()
    agent = make_agent("solver", game)
    action = agent.act(state)
    assert state.is_legal(action)
    assert agent.solve_puzzle(state).answer == str(state)


def test_runner_checks_answers() -> None:
    game = make_game("sudoku")
    good = run_puzzle(make_agent("solver", game), game, HARD[1])
    assert good.solved and good.error is None and good.guesses is not None and good.seconds > 0
    lie = run_puzzle(_Liar(), game, HARD[1])
    assert not lie.solved and "twice" in lie.error
    quit_ = run_puzzle(_Quitter(), game, HARD[1])
    assert not quit_.solved and "not full" in quit_.error
    rand = run_puzzle(make_agent("random", game, seed=1), game, HARD[1])
    assert rand.guesses is None and rand.solved == (check_outcome(HARD[1], rand.answer) is None)
    summary = summarize([good, lie, quit_])
    assert summary["solved"] == 1 and summary["puzzles"] == 3 and abs(summary["solve_rate"] - 1 / 3) < 1e-12
    assert check_outcome(HARD[1], "123") == "malformed answer"


def test_cli_subprocess_generate_and_out(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "agents.arena.puzzles", "sudoku", "solver", "--generate", "3",
                           "--min-guesses", "5", "--seed", "1", "--out", str(tmp_path), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["solved"] == summary["puzzles"] == 3 and summary["solve_rate"] == 1.0
    assert set(summary) == {"solved", "puzzles", "solve_rate", "mean_guesses", "mean_nodes", "mean_seconds",
                            "mean_iterations"}
    rows = [json.loads(line) for line in (tmp_path / "puzzles.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and all(r["solved"] and len(r["answer"]) == 81 for r in rows)
    assert all(check_outcome(r["puzzle"], r["answer"]) is None for r in rows)


def test_puzzles_file_and_move_by_move_agents(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.txt"
    path.write_text("# three hard ones\n" + "\n".join(HARD[:3]) + "\n")
    assert main(["sudoku", "random", "--puzzles", str(path), "--json", "--seed", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["puzzles"] == 3 and summary["mean_guesses"] is None and summary["solve_rate"] < 1.0
    assert main(["sudoku", "solver:level=0", "--puzzles", str(path)]) == 0
    assert "solved 3/3" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    assert main(["sudoku", "solver", "--puzzles", str(path), "--out", "-"]) == 0  # '-' writes no files
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("argv, words", [
    (["sudoku", "solver:level=9", "--generate", "1"], "level must be 0..3"),
    (["sudoku", "solver", "--puzzles", "/nonexistent"], "cannot read"),
    (["connect_four", "random", "--generate", "1"], "puzzle mode"),
    (["sudoku", "solver", "--generate", "0"], "--generate"),
])
def test_bad_input_exits_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err


def test_bad_puzzle_line_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.txt"
    path.write_text(HARD[0] + "\n" + "." * 81 + "\n")
    assert run_cli(main, ["sudoku", "solver", "--puzzles", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "more than one solution" in err
