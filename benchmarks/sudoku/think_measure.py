"""The measurements of ``python -m benchmarks.sudoku think`` for one checkpoint (:mod:`benchmarks.sudoku.think`).

* :func:`think_curve`: raw solve rate (one pass, no search) after each iteration count, from one pass of
  the largest count (:func:`agents.nets.sudoku_halting.grids_along`); CPU seconds per puzzle of count K =
  the pass's seconds x K / K_max (every iteration costs the same);
* :func:`halting`: the same pass with each halting mode (:func:`agents.nets.sudoku_halting.think`): solve
  rate, iterations per puzzle, CPU seconds;
* :func:`guided_trace`: network-guided depth-first search (:mod:`search.sudoku.guided`) with the network
  at K iterations, many puzzles in lockstep, recording for each puzzle the nodes at its first solution and
  the node count at each network call, so that one search at the largest budget gives every budget: a
  puzzle is solved within N nodes when its first solution came at ``nodes <= N``, and its CPU seconds
  within N are its network calls made before N nodes x the run's seconds per call.

Seconds are CPU seconds of this process (``time.process_time``: other work on a shared machine does not
count) on CPU, wall seconds (synchronised) on CUDA.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import torch

from agents.nets.sudoku_halting import HALTS, grids_along, think
from agents.nets.sudoku_scorer import observations
from agents.nets.sudoku_think import SudokuThinkNet
from search.sudoku.guided import GuidedSearch, Scorer


def clock(device: torch.device) -> Callable[[], float]:
    """Process CPU time on CPU; synchronised wall time on CUDA."""
    if device.type == "cuda":
        def wall() -> float:
            torch.cuda.synchronize(device)
            return time.perf_counter()

        return wall
    return time.process_time


def _batches(model: SudokuThinkNet, puzzles: np.ndarray, device: torch.device, batch_size: int):
    dtype = next(model.parameters()).dtype
    for start in range(0, len(puzzles), batch_size):
        part = puzzles[start:start + batch_size]
        yield start, torch.from_numpy(observations(part, part > 0)).to(device=device, dtype=dtype)


def think_curve(model: SudokuThinkNet, puzzles: np.ndarray, solutions: np.ndarray, iters: list[int],
                device: torch.device, batch_size: int = 256) -> dict[str, Any]:
    """``solved[K]`` (bool [P]) and ``seconds[K]`` (per puzzle) for every K of ``iters``."""
    tick = clock(device)
    target = torch.from_numpy(solutions.astype(np.int64)).to(device)
    solved = {k: np.zeros(len(puzzles), dtype=bool) for k in iters}
    start = tick()
    for first, obs in _batches(model, puzzles, device, batch_size):
        for k, grids in grids_along(model, obs, iters).items():
            right = (grids == target[first:first + len(obs)]).all(dim=1)
            solved[k][first:first + len(obs)] = right.cpu().numpy()
    total = (tick() - start) / len(puzzles)
    return {"solved": solved, "seconds": {k: total * k / max(iters) for k in iters}}


def halting(model: SudokuThinkNet, puzzles: np.ndarray, solutions: np.ndarray, max_iters: int, mode: str,
            device: torch.device, patience: int = 0, threshold: float = 0.5, batch_size: int = 256) -> dict[str, Any]:
    """Solved (bool [P]), iterations (int [P]) and seconds per puzzle of one halting mode."""
    if mode not in HALTS:
        raise ValueError(f"unknown halting mode {mode}")
    tick = clock(device)
    target = torch.from_numpy(solutions.astype(np.int64)).to(device)
    solved = np.zeros(len(puzzles), dtype=bool)
    iterations = np.zeros(len(puzzles), dtype=np.int64)
    start = tick()
    for first, obs in _batches(model, puzzles, device, batch_size):
        out = think(model, obs, max_iters, halt=mode, patience=patience, threshold=threshold)  # type: ignore[arg-type]
        rows = slice(first, first + len(obs))
        solved[rows] = (out.grids == target[rows]).all(dim=1).cpu().numpy()
        iterations[rows] = out.iterations.cpu().numpy()
    return {"solved": solved, "iterations": iterations, "seconds": (tick() - start) / len(puzzles)}


def guided_trace(grids: np.ndarray, scorer: Scorer | None, max_nodes: int, level: int, trust: float,
                 tick: Callable[[], float] = time.process_time) -> dict[str, Any]:
    """One lockstep guided (or, ``scorer`` None, classical) search per grid at budget ``max_nodes``.

    Returns:
        ``solved`` bool [P] (within ``max_nodes``), ``nodes`` int [P] (at the first solution, else at the
        stop), ``calls``: per puzzle the node count before each network call, ``seconds`` of the whole run
        and ``evaluations`` (network calls).
    """
    searches = [GuidedSearch(g, level, max_nodes, trust) for g in np.asarray(grids).reshape(-1, 81)]
    calls: list[list[int]] = [[] for _ in searches]
    start = tick()
    while True:
        active = [i for i, s in enumerate(searches) if not s.done]
        if not active:
            break
        if scorer is None:
            for i in active:
                searches[i].advance(None)
            continue
        batch = np.stack([searches[i].pending for i in active])
        givens = np.stack([searches[i].givens for i in active])
        scores = np.asarray(scorer(batch, givens))
        for i, row in zip(active, scores):
            calls[i].append(searches[i].nodes)
            searches[i].advance(row)
    seconds = tick() - start
    solved = np.array([s.solution is not None for s in searches])
    return {"solved": solved, "nodes": np.array([s.nodes for s in searches]), "calls": calls, "seconds": seconds,
            "evaluations": int(sum(len(c) for c in calls))}


def budget_cells(trace: dict[str, Any], budgets: list[int]) -> dict[int, dict[str, np.ndarray]]:
    """For every budget N of ``budgets``: ``solved`` (bool [P]) and ``seconds`` (float [P]: network calls made
    before N nodes x the trace's seconds per call, or the run's seconds per node for a classical search)."""
    nodes, solved = trace["nodes"], trace["solved"]
    out = {}
    if trace["evaluations"]:
        per_call = trace["seconds"] / trace["evaluations"]
        for n in budgets:
            made = np.array([sum(1 for before in c if before < n) for c in trace["calls"]], dtype=float)
            out[n] = {"solved": solved & (nodes <= n), "seconds": made * per_call}
    else:
        per_node = trace["seconds"] / max(int(nodes.sum()), 1)
        for n in budgets:
            out[n] = {"solved": solved & (nodes <= n), "seconds": np.minimum(nodes, n) * per_node}
    return out
