"""``go`` parsing and the time plan: within the clock, overhead respected, no loss on time with small increments."""
from __future__ import annotations

import pytest

from agents.uci.timeman import MIN_SECONDS, GoLimits, depth_nodes, move_seconds, node_budget, parse_go


def test_parse_go() -> None:
    limits, problems = parse_go("wtime 60000 btime -30 winc 1000 binc 500 movestogo 20 foo".split())
    assert limits == GoLimits(wtime=60.0, btime=0.0, winc=1.0, binc=0.5, movestogo=20) and problems == []
    limits, _ = parse_go("ponder searchmoves e2e4 d2d4 nodes 500 depth 3 mate 2 infinite".split())
    assert limits.ponder and limits.infinite and limits.searchmoves == ("e2e4", "d2d4")
    assert (limits.nodes, limits.depth, limits.mate) == (500, 3, 2)
    limits, problems = parse_go("movetime fast nodes 7".split())
    assert problems == ["go movetime needs an integer; got 'fast'"] and limits == GoLimits(nodes=7)
    assert parse_go([])[0].unbounded and not parse_go(["depth", "2"])[0].unbounded


def test_move_seconds() -> None:
    assert move_seconds(GoLimits(movetime=0.5), True, overhead=0.1) == pytest.approx(0.4)
    assert move_seconds(GoLimits(movetime=0.05), True, overhead=0.1) == MIN_SECONDS
    assert move_seconds(GoLimits(), True, overhead=0.1) is None
    clock = GoLimits(wtime=10.0, btime=1.0, winc=0.1, binc=0.1)
    # left = 10 + 0.1 * 29 - 0.1 * 32 = 9.7 over 30 moves
    assert move_seconds(clock, True, overhead=0.1) == pytest.approx(9.7 / 30)
    assert move_seconds(clock, False, overhead=0.1) == pytest.approx(0.7 / 30)
    assert move_seconds(clock, True, overhead=0.1, slowmover=2.0) == pytest.approx(2 * 9.7 / 30)
    last = GoLimits(wtime=10.0, btime=10.0, movestogo=1)
    assert move_seconds(last, True, overhead=0.1) == pytest.approx(0.5 * 9.9)  # at most half the clock
    assert move_seconds(GoLimits(wtime=0.05, btime=0.05), True, overhead=0.1) == MIN_SECONDS


@pytest.mark.parametrize("base, inc, overhead, latency, moves", [
    (10.0, 0.1, 0.1, 0.09, 300), (10.0, 0.1, 0.1, 0.0, 300), (3.0, 0.02, 0.1, 0.015, 300), (1.0, 0.01, 0.0, 0.0, 300),
    (60.0, 0.0, 0.1, 0.05, 120), (10.0, 0.0, 0.05, 0.02, 100)])
def test_never_loses_on_time(base: float, inc: float, overhead: float, latency: float, moves: int) -> None:
    """A long game where every move costs its planned time plus a delay: the clock never runs out as long
    as the delay stays below the increment (sudden death: below the overhead, for a long game)."""
    clock, spent = base, 0.0
    for _ in range(moves):
        plan = move_seconds(GoLimits(wtime=clock, btime=clock, winc=inc, binc=inc), True, overhead)
        assert plan is not None
        used = plan + latency
        assert used < clock, (clock, plan)
        clock += inc - used
        spent += used
    assert spent > 0.5 * base  # the clock is used, not hoarded


def test_node_budgets() -> None:
    assert depth_nodes(1) == 4 and depth_nodes(5) == 1024 and depth_nodes(10) == 4**10
    assert depth_nodes(40) == 2**31 - 1
    assert node_budget(GoLimits(nodes=500, depth=3), 0) == 64
    assert node_budget(GoLimits(nodes=500), 300) == 300
    assert node_budget(GoLimits(), 0) is None and node_budget(GoLimits(), 800) == 800
