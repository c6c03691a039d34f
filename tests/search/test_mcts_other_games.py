"""MCTS on Python-backed games other than chess: an open_spiel adapter game and one-player sudoku."""
from __future__ import annotations

from games.registry import make_game
from search.evaluators import RolloutEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig


def test_open_spiel_tic_tac_toe_win_block_and_solved_draw() -> None:
    game = make_game("openspiel:tic_tac_toe")
    state = game.new_state()
    for a in (0, 3, 1, 4):  # x: 0, 1; o: 3, 4 -> x wins at 2
        state.apply(a)
    s = BatchedMCTS(game, MCTSConfig(num_simulations=100), RolloutEvaluator(seed=1)).search([state])[0]
    assert s.action == 2 and s.proven_value == 1.0
    state = game.new_state()
    for a in (0, 4, 1):  # o must block at 2
        state.apply(a)
    s = BatchedMCTS(game, MCTSConfig(num_simulations=400), RolloutEvaluator(seed=1)).search([state])[0]
    assert s.action == 2
    state = game.new_state()
    for a in (4, 0, 8, 2, 1):  # o must block at 7; then a draw with best play
        state.apply(a)
    s = BatchedMCTS(game, MCTSConfig(num_simulations=3000), UniformEvaluator()).search([state])[0]
    assert s.action == 7 and s.proven_value == 0.0


def test_sudoku_one_player_solution_is_proven() -> None:
    game = make_game("sudoku")
    grid = [((r * 3 + r // 3 + c) % 9) + 1 for r in range(9) for c in range(9)]  # a valid full grid
    cells = list("".join(map(str, grid)))
    for i in (0, 40):
        cells[i] = "."
    state = game.state_from_string("".join(cells))
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=50), UniformEvaluator())
    s = mcts.search([state])[0]
    assert s.proven_value == 1.0 and s.value == 1.0
    for _ in range(2):  # play the proven line, reusing the tree
        s = mcts.search([state])[0]
        mcts.advance(0, s.action)
        state.apply(s.action)
    assert state.is_terminal() and list(state.returns()) == [1.0]
    assert str(state) == "".join(map(str, grid))
