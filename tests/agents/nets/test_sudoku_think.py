"""The thinking sudoku network: recall, the progressive output's detached start, read-outs, halting and the
``net`` agent's one-pass answers with the iterations it used."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from agents.arena.puzzles import run_puzzle
from agents.nets.checkpoint import TrainingMetadata, load_checkpoint, save_checkpoint
from agents.nets.core import NetConfig, build_network
from agents.nets.sudoku import token_features
from agents.nets.sudoku_halting import grids_along, read_grids, solved_mask, think, think_grids
from agents.nets.sudoku_scorer import observations
from agents.nets.sudoku_think import SudokuThinkNet
from agents.registry import make_agent
from games.sudoku import SUDOKU_SPEC, SudokuGame
from games.sudoku.grid import format_grid, parse_grid
from search.sudoku import solve

pytestmark = pytest.mark.usefixtures("one_torch_thread")

HARD = parse_grid("3..6.1..7...8..2.5.....2.1.576....4884..9..............5.....8.1...3..2.7..5.....")
SOLUTION = solve(HARD, level=3, limit=1).solution


def tiny(seed: int = 0) -> SudokuThinkNet:
    torch.manual_seed(seed)
    net = build_network(NetConfig(kind="sudoku_think", channels=8, blocks=1, iters=3, value_hidden=8), SUDOKU_SPEC)
    assert isinstance(net, SudokuThinkNet)
    return net.eval()


def obs_of(*grids: np.ndarray) -> torch.Tensor:
    g = np.stack(grids)
    return torch.from_numpy(observations(g, g > 0))


def one_blank() -> np.ndarray:
    """The hard puzzle's solution with one cell blank: its only legal digit is the answer."""
    g = SOLUTION.copy()
    g[0] = 0
    return g


def test_forward_shapes_and_every_iteration_readouts() -> None:
    net = tiny()
    obs = obs_of(HARD, one_blank())
    logits, values = net(obs)
    assert logits.shape == (2, 729) and values.shape == (2,) and bool((values.abs() <= 1).all())
    outs = net.run(obs, 5)
    assert len(outs) == 5 and all(o.halt.shape == (2,) for o in outs)
    assert torch.allclose(outs[-1].logits, net(obs, iters=5)[0], atol=1e-5)
    along = grids_along(net, obs, [1, 3, 5])
    for k, o in zip((1, 3, 5), (outs[0], outs[2], outs[4])):
        assert torch.equal(along[k], read_grids(o.logits, token_features(obs)))


def test_recall_feeds_the_input_back_at_every_iteration() -> None:
    """From the same state, two different puzzles lead to different states: the input enters each step."""
    net = tiny()
    x1, recalled1, _ = net.start(obs_of(HARD))
    _, recalled2, _ = net.start(obs_of(one_blank()))
    state = torch.zeros((1, 9, 9, 9, 8))
    assert not torch.allclose(net.iterate(recalled1, state, 4), net.iterate(recalled2, state, 4))


def test_progressive_output_starts_from_a_detached_state() -> None:
    """After n > 0 iterations without gradients, only the last k iterations carry gradient: the embedding
    (used only before them) gets none, the recalled input and the block do."""
    net = tiny().train()
    net.progressive(obs_of(HARD), n=2, k=1).logits.sum().backward()
    assert net.embed.weight.grad is None or float(net.embed.weight.grad.abs().sum()) == 0.0
    assert float(net.recall_input.weight.grad.abs().sum()) > 0 and float(net.policy.weight.grad.abs().sum()) > 0
    net.zero_grad(set_to_none=True)
    net.progressive(obs_of(HARD), n=0, k=2).logits.sum().backward()  # n = 0: the whole pass has gradients
    assert float(net.embed.weight.grad.abs().sum()) > 0
    with pytest.raises(ValueError):
        net.progressive(obs_of(HARD), n=1, k=0)


def test_halting_head_inputs_are_detached() -> None:
    net = tiny().train()
    net.run(obs_of(HARD), 2)[-1].halt.sum().backward()
    assert net.policy.weight.grad is None or float(net.policy.weight.grad.abs().sum()) == 0.0
    assert float(net.halt_fc1.weight.grad.abs().sum()) > 0


def test_read_grids_and_solved_mask() -> None:
    x = token_features(obs_of(one_blank()))
    grids = read_grids(torch.zeros((1, 729)), x)  # the one blank has one legal digit
    assert format_grid(grids[0].numpy().astype(np.int8)) == format_grid(SOLUTION)
    assert solved_mask(grids).tolist() == [True]
    broken = grids.clone()
    broken[0, [0, 1]] = broken[0, [1, 0]]
    assert solved_mask(broken).tolist() == [False]


def test_rule_halting_stops_early_on_an_easy_input_and_reports_iterations() -> None:
    net = tiny()
    out = think(net, obs_of(one_blank(), HARD), 6, halt="rule")
    assert out.iterations.tolist()[0] == 1 and out.solved.tolist()[0]
    assert out.iterations.tolist()[1] == 6  # an untrained network does not solve the hard puzzle
    fixed = think(net, obs_of(one_blank(), HARD), 6, halt="off")
    assert fixed.iterations.tolist() == [6, 6]
    answers, iterations = think_grids(net, np.stack([one_blank(), HARD]), 6, halt="rule", batch_size=1)
    assert iterations.tolist() == [1, 6] and format_grid(answers[0]) == format_grid(SOLUTION)


def test_head_halting_and_patience() -> None:
    net = tiny()
    with torch.no_grad():
        net.halt_fc2.bias.fill_(20.0)
    assert think(net, obs_of(HARD), 7, halt="head").iterations.tolist() == [1]
    with torch.no_grad():
        net.halt_fc2.bias.fill_(-20.0)
        net.halt_fc2.weight.zero_()
    assert think(net, obs_of(HARD), 7, halt="head").iterations.tolist() == [7]
    with torch.no_grad():
        net.policy.weight.zero_()  # the same answer at every iteration: read at 1, unchanged at 2 and 3
    assert think(net, obs_of(HARD), 50, halt="rule", patience=2).iterations.tolist() == [3]
    assert think(net, obs_of(HARD), 50, halt="rule").iterations.tolist() == [50]
    with pytest.raises(ValueError):
        think(net, obs_of(HARD), 3, halt="sometimes")  # type: ignore[arg-type]


def test_net_agent_answers_in_one_pass_and_reports_iterations(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "000000.pt", tiny(), "sudoku", TrainingMetadata())
    assert load_checkpoint(path).network.kind == "sudoku_think"
    game = SudokuGame()
    agent = make_agent(f"net:{path},iters=5,halt=1", game)
    easy = run_puzzle(agent, game, format_grid(one_blank()))
    assert easy.solved and easy.iterations == 1
    hard = run_puzzle(agent, game, format_grid(HARD))
    assert hard.iterations == 5
    fixed = run_puzzle(make_agent(f"net:{path},iters=4", game), game, format_grid(one_blank()))
    assert fixed.iterations == 4 and fixed.solved
    greedy = run_puzzle(make_agent(f"net:{path},iters=2,read=greedy", game), game, format_grid(one_blank()))
    assert greedy.solved and greedy.iterations == 4  # greedy filling: 2 calls (the placement, the full grid) x 2
