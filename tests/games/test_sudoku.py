"""Sudoku game and grid text: actions, terminal states, observation, parsing errors, answer checks."""
from __future__ import annotations

import numpy as np
import pytest

from games.core import IllegalActionError, TERMINAL, random_playout
from games.registry import make_game
from games.sudoku import (
    DEFAULT_PUZZLE,
    DuplicateDigitError,
    GridFormatError,
    MultipleSolutionsError,
    NoSolutionError,
    SudokuInputError,
    check_answer,
    format_grid,
    parse_grid,
    parse_puzzle,
)
from games.sudoku.grid import count_solutions, parse_grids, read_puzzle_lines

SOLVED = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"
"""A valid full grid (the classic Wikipedia example's solution)."""
PUZZLE = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
"""The classic example puzzle (unique solution SOLVED)."""


def test_spec_and_default_state() -> None:
    game = make_game("sudoku")
    spec = game.spec
    assert (spec.num_players, spec.num_actions, spec.observation_shape) == (1, 729, (10, 9, 9))
    state = game.new_state()
    assert str(state) == DEFAULT_PUZZLE and state.current_player == 0
    parse_puzzle(DEFAULT_PUZZLE)  # unique


def test_legal_actions_are_rule_consistent_placements() -> None:
    state = make_game("sudoku").state_from_string(PUZZLE)
    grid = parse_grid(PUZZLE).reshape(9, 9)
    expected = []
    for r in range(9):
        for c in range(9):
            if grid[r, c]:
                continue
            box = grid[r // 3 * 3:r // 3 * 3 + 3, c // 3 * 3:c // 3 * 3 + 3]
            for d in range(1, 10):
                if d not in grid[r] and d not in grid[:, c] and d not in box:
                    expected.append((r * 9 + c) * 9 + d - 1)
    np.testing.assert_array_equal(state.legal_actions(), expected)
    assert state.action_to_string((2 * 9 + 4) * 9 + 6) == "r3c5=7"
    action = int(state.legal_actions()[0])
    assert state.string_to_action(state.action_to_string(action)) == action
    with pytest.raises(IllegalActionError):
        state.string_to_action("r1c1=5")  # a given
    with pytest.raises(IllegalActionError):
        state.string_to_action("row 1")


def test_playing_the_solution_wins() -> None:
    state = make_game("sudoku").state_from_string(PUZZLE)
    for cell in np.flatnonzero(parse_grid(PUZZLE) == 0):
        assert not state.is_terminal()
        state.apply(int(cell) * 9 + int(SOLVED[cell]) - 1)
    assert state.is_terminal() and state.current_player == TERMINAL and state.is_solved()
    assert str(state) == SOLVED and state.returns().tolist() == [1.0]
    assert len(state.legal_actions()) == 0


def test_dead_end_is_terminal_with_minus_one() -> None:
    # r1c1 and r1c2 need 1 and 2, which row 2 already holds in their box: r1c1 has no candidate
    text = "..3456789" + "12" + "." * 70
    state = make_game("sudoku").state_from_string(text)
    assert state.is_terminal() and state.returns().tolist() == [-1.0]
    open_state = make_game("sudoku").state_from_string("." * 81)
    assert open_state.returns().tolist() == [0.0] and len(open_state.legal_actions()) == 729


def test_random_play_ends_solved_or_stuck() -> None:
    game = make_game("sudoku")
    rng = np.random.default_rng(3)
    for _ in range(30):
        state = random_playout(game.new_state(rng), rng)
        full = "." not in str(state)
        assert state.returns()[0] == (1.0 if full else -1.0)
        if full:
            check_answer(parse_grid(str(state)), parse_grid(str(state)))


def test_observation_planes() -> None:
    state = make_game("sudoku").state_from_string(PUZZLE)
    action = int(state.legal_actions()[0])
    state.apply(action)
    obs = state.observation()
    grid = state.grid.reshape(9, 9)
    for d in range(1, 10):
        np.testing.assert_array_equal(obs[d - 1], (grid == d).astype(np.float32))
    np.testing.assert_array_equal(obs[9], (parse_grid(PUZZLE) > 0).reshape(9, 9))
    cell = action // 9
    assert obs[9].reshape(-1)[cell] == 0 and obs[action % 9].reshape(-1)[cell] == 1


def test_new_state_with_rng_is_a_unique_puzzle() -> None:
    game = make_game("sudoku")
    rng = np.random.default_rng(11)
    texts = {str(game.new_state(rng)) for _ in range(5)}
    assert len(texts) == 5
    for text in texts:
        count, _ = count_solutions(parse_grid(text))
        assert count == 1


def test_text_forms_and_blanks() -> None:
    grid = parse_grid(PUZZLE.replace(".", "0"))
    assert format_grid(grid) == PUZZLE
    assert format_grid(parse_grid(" ".join(PUZZLE[i:i + 9] for i in range(0, 81, 9)))) == PUZZLE
    sixteen = parse_grid("123456789ABCDEFG" + "." * 240, size=None)
    assert sixteen.shape == (256,) and sixteen[15] == 16
    assert format_grid(parse_grid("123456789abcdefg" + "0" * 240, size=16)) == "123456789ABCDEFG" + "." * 240


@pytest.mark.parametrize("text, error, words", [
    (PUZZLE[:80], GridFormatError, "needs 81 characters, got 80"),
    (PUZZLE + "1", GridFormatError, "got 82"),
    ("x" + PUZZLE[1:], GridFormatError, "bad character 'x' at position 1"),
    ("A" + PUZZLE[1:], GridFormatError, "bad character 'A'"),
    ("5" + PUZZLE[1:5] + "5" + PUZZLE[6:], DuplicateDigitError, "digit 5 appears twice in row 1"),
    (PUZZLE[:18] + "4" + PUZZLE[19:], DuplicateDigitError, "digit 4 appears twice in column 1"),
    (PUZZLE[:11] + "3" + PUZZLE[12:], DuplicateDigitError, "digit 3 appears twice in box 1"),
])
def test_bad_grids_raise_one_line_errors(text: str, error: type, words: str) -> None:
    with pytest.raises(error, match=words) as info:
        parse_puzzle(text)
    assert isinstance(info.value, SudokuInputError) and "\n" not in str(info.value)


def test_no_solution_and_several_solutions() -> None:
    # no rule broken, but r1c9 cannot hold anything consistent with column 9 and row 1
    no_solution = "12345678." + "." * 8 + "9" + "." * 63
    parse_grid(no_solution)
    with pytest.raises(NoSolutionError, match="no solution"):
        parse_puzzle(no_solution)
    with pytest.raises(MultipleSolutionsError, match="more than one solution"):
        parse_puzzle("." * 81)
    with pytest.raises(MultipleSolutionsError, match="line 2"):
        read_puzzle_lines(["# comment", "." * 81])
    assert parse_puzzle(PUZZLE)[1].tolist() == [int(ch) for ch in SOLVED]


def test_check_answer_finds_each_fault() -> None:
    puzzle, solved = parse_grid(PUZZLE), parse_grid(SOLVED)
    assert check_answer(puzzle, solved) is None
    assert "not full" in check_answer(puzzle, puzzle)
    swapped = solved.copy()
    swapped[[0, 1]] = swapped[[1, 0]]  # givens 5 and 3 swapped
    assert "changes the given at r1c1" in check_answer(puzzle, swapped)
    broken = solved.copy()
    broken[2] = broken[3]  # r1c3 (blank in the puzzle) copies r1c4
    assert "appears twice in row 1" in check_answer(puzzle, broken)


def test_parse_grids_matches_parse_grid_and_its_errors() -> None:
    texts = [PUZZLE, SOLVED, PUZZLE.replace(".", "0"), DEFAULT_PUZZLE]
    grids = parse_grids(texts)
    assert grids.shape == (4, 81) and grids.dtype == np.int8
    for text, grid in zip(texts, grids):
        np.testing.assert_array_equal(grid, parse_grid(text))
        assert format_grid(grid) == format_grid(parse_grid(text))
    spaced = " ".join(PUZZLE[i:i + 9] for i in range(0, 81, 9))  # the slow path: whitespace
    np.testing.assert_array_equal(parse_grids([PUZZLE, spaced])[1], grids[0])
    assert parse_grids(["123456789abcdefg" + "." * 240], size=None)[0, 15] == 16
    assert parse_grids([]).shape == (0, 81)
    with pytest.raises(DuplicateDigitError, match="appears twice in row 1"):
        parse_grids([PUZZLE, "5" + PUZZLE[1:5] + "5" + PUZZLE[6:]])
    with pytest.raises(GridFormatError, match="bad character 'x'"):
        parse_grids([PUZZLE, "x" + PUZZLE[1:]])
    with pytest.raises(GridFormatError, match="bad character 'é'"):
        parse_grids(["é" + PUZZLE[1:]])
    with pytest.raises(GridFormatError, match="needs 81 characters"):
        parse_grids([PUZZLE, PUZZLE[:80]])
    with pytest.raises(GridFormatError, match="needs 81 characters"):
        parse_grids(["." * 256])  # 9x9 asked by default
