"""No-limit hold'em agents: the blueprint with action translation, nested safe subgame solving, the
baselines, the ACPC hand log of ``agents.play`` and its bad-input errors."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from agents.core import AgentError, AgentSpecError, RangeAgent
from agents.play import main as play_main
from agents.registry import make_agent
from games.cli import run_cli
from games.core import UnsupportedGameError
from games.poker.base import CALL, FOLD
from games.registry import make_game
from search.cfr.abstraction import combo_index
from tests.nolimit_blueprints import STRENGTH_GAME, strength_blueprint


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def game():  # noqa: ANN201
    return make_game(STRENGTH_GAME)


def dealt(game, cards: str, actions: str = ""):  # noqa: ANN001, ANN201
    """The state after dealing ``cards`` (hole cards of player 0, of player 1, board cards in turn) and
    playing ``actions`` (``|`` where the board cards of the next round come)."""
    text = cards.split()
    state = game.state_from_string(" ".join(text[:4]))
    board = iter(text[4:])
    for word in actions.split():
        if word == "|":
            while state.is_chance_node():
                state.apply(state.string_to_action(next(board)))
            continue
        state.apply(state.string_to_action(word))
    return state


def test_blueprint_agent_reads_its_blueprint_and_translates(game) -> None:  # noqa: ANN001
    agent = make_agent(f"cfr:checkpoint={strength_blueprint()}", game, seed=0)
    assert isinstance(agent, RangeAgent)
    state = dealt(game, "As Ad Kh Kd")
    actions, probs = agent.hand_policy(state)
    assert actions.tolist() == [FOLD, CALL, 300, 4000] and probs.shape == (1326, 4)
    assert probs.sum(axis=1) == pytest.approx(1.0, abs=1e-5)
    bucket = agent.buckets(0, ())[combo_index(51, 50)]
    assert probs[combo_index(51, 50)] == pytest.approx(agent.blueprint.action_probs(0, bucket), abs=1e-7)
    assert agent.act(state) in actions
    # an off-tree raise to 700 (between pot and all-in): translated once per hand, the same every time asked
    facing = dealt(game, "As Ad Kh Kd", "r700")
    first = agent.hand_policy(facing)
    assert all(np.array_equal(x, y) for x, y in zip(first, agent.hand_policy(facing)))
    assert set(first[0].tolist()) <= {FOLD, CALL, *range(1300, 4001)}  # sized from the real 700 chips
    nearest = make_agent(f"cfr:checkpoint={strength_blueprint()},translation=nearest", game, seed=1)
    assert nearest.act(facing) in facing.legal_actions()


def test_subgame_agent_resolves_from_the_turn_and_inserts_off_tree_bets(game) -> None:  # noqa: ANN001
    spec = f"subgame:checkpoint={strength_blueprint()},street=2,iters=40,seconds=0,chance_samples=6,threads=1"
    agent = make_agent(spec, game, seed=0)
    flop = dealt(game, "As Ad Kh Kd 2c 7d 9s", "c c | c")
    assert agent.hand_policy(flop)[0].tolist() == agent.__class__.__mro__[1].hand_policy(agent, flop)[0].tolist()
    assert agent.resolves == 0  # before the turn the blueprint plays
    turn = dealt(game, "As Ad Kh Kd 2c 7d 9s 3h 5c", "c c | c c |")  # player 0 acts first on the turn
    actions, probs = agent.hand_policy(turn)
    assert agent.resolves == 1 and probs.sum(axis=1) == pytest.approx(1.0, abs=1e-5)
    assert len(actions) > 4 and all(turn.is_legal(int(a)) for a in actions)  # finer than the blueprint's 3
    # player 0 checks, player 1 bets to 370 (1.35 pots), in no tree: the next subgame starts after it
    after = dealt(game, "As Ad Kh Kd 2c 7d 9s 3h 5c", "c c | c c | c r370")
    assert after.current_player == 0
    actions2, _ = agent.hand_policy(after)
    assert agent.resolves == 2 and FOLD in actions2 and all(after.is_legal(int(a)) for a in actions2)
    solution = agent._solutions[max(agent._solutions, key=len)]
    root = solution.subgame.tree
    assert tuple(root.spent[solution.root]) == (100.0, 370.0)  # the real bet is the subgame's root
    river = dealt(game, "As Ad Kh Kd 2c 7d 9s 3h 5c 8c", "c c | c c | c r370 c |")
    assert river.round == 3 and agent.act(river) in river.legal_actions() and agent.resolves == 3
    assert agent.solve_iterations == [40, 40, 40]
    agent.reset()
    assert not agent._solutions
    blueprint_only = make_agent(f"subgame:checkpoint={strength_blueprint()},iters=0", game, seed=0)
    assert blueprint_only.act(turn) in turn.legal_actions() and blueprint_only.resolves == 0


def test_subgame_agent_with_the_blueprints_sizes(game) -> None:  # noqa: ANN001
    """``sizes=blueprint``: the re-solved subgame offers exactly the blueprint's raises (so the blueprint
    never translates them), where the default offers more."""
    blueprint = make_agent(f"cfr:checkpoint={strength_blueprint()}", game, seed=0)
    spec = f"subgame:checkpoint={strength_blueprint()},street=3,iters=20,seconds=0,threads=1"
    own, fine = make_agent(spec + ",sizes=blueprint", game, seed=0), make_agent(spec, game, seed=0)
    for line in ("c c | c c | c c |", "c c | c c | c c | r200", "c c | c c | r300 c |"):
        river = dealt(game, "As Ad Kh Kd 2c 7d 9s 3h 5c 8c", line)
        expected = blueprint.hand_policy(river)[0].tolist()
        assert own.hand_policy(river)[0].tolist() == expected
        assert set(expected) < set(fine.hand_policy(river)[0].tolist())
    assert own.resolves == fine.resolves == 3
    with pytest.raises(AgentSpecError, match="sizes"):
        make_agent(spec + ",sizes=tiny", game, seed=0)


def test_baselines(game) -> None:  # noqa: ANN001
    facing = dealt(game, "As Ad 7h 2d")  # player 1 (small blind) faces the big blind
    for spec, want in (("call", [CALL]), ("fold", [FOLD])):
        agent = make_agent(spec, game, seed=0)
        assert agent.hand_policy(facing)[0].tolist() == want and agent.act(facing) == want[0]
    check = dealt(game, "As Ad 7h 2d", "c")
    assert make_agent("fold", game, seed=0).act(check) == CALL
    strength = make_agent("strength:raise_at=0.8,call_at=0.6", game, seed=0)
    actions, probs = strength.hand_policy(facing)
    assert actions.tolist() == [FOLD, CALL, 300]
    assert probs[combo_index(51, 50), 2] == 1.0 and probs[combo_index(0, 21), 0] == 1.0  # AA raise, 7-2 folds
    with pytest.raises(UnsupportedGameError):
        make_agent("call", make_game("leduc_poker"), seed=0)
    with pytest.raises(AgentSpecError):
        make_agent("strength:raise_at=0.2,call_at=0.5", game, seed=0)


def test_blueprint_of_another_abstraction_or_game_is_refused(game, tmp_path: Path,  # noqa: ANN001
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    forged = tmp_path / "forged.npz"
    with np.load(strength_blueprint()) as f:
        data = dict(f)
    data["fingerprint"] = np.array("strength-0123456789abcdef")
    np.savez(forged, **data)
    with pytest.raises(AgentError, match="card abstraction"):
        make_agent(f"cfr:checkpoint={forged}", game, seed=0)
    with pytest.raises(AgentError, match="trained for holdem_nolimit\\(stack=4000\\)"):
        make_agent(f"cfr:checkpoint={strength_blueprint()}", make_game("holdem_nolimit"), seed=0)
    with pytest.raises(AgentError, match="no blueprint checkpoint"):
        make_agent(f"subgame:checkpoint={tmp_path / 'missing.npz'}", game, seed=0)
    assert run_cli(play_main, [STRENGTH_GAME, f"cfr:checkpoint={forged}", "call", "--out", "-"]) == 2
    assert run_cli(play_main, [STRENGTH_GAME, "call", "call", "--moves", "As Ah Ks Kd r150", "--out", "-"]) == 2
    assert run_cli(play_main, ["holdem_nolimit(stack=400,blinds=2/1)", "call", "call", "--out", "-"]) == 2
    assert run_cli(play_main, ["holdem_nolimit(stack=4k)", "call", "call", "--out", "-"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("error:")]
    assert len(errors) == 4
    assert "card abstraction" in errors[0] and "'r150' is not legal here (raises go to 200..4000)" in errors[1]
    assert "small blind <= big blind" in errors[2] and "stack '4k'" in errors[3]


STATE = re.compile(r"^STATE:(\d+):([fcr0-9/]*):([2-9TJQKA][cdhs]){2}\|([2-9TJQKA][cdhs]){2}((/([2-9TJQKA][cdhs])+)*)"
                   r":(-?\d+)\|(-?\d+):([^:|]+)\|([^:|]+)$")


def test_play_writes_acpc_hand_logs(tmp_path: Path) -> None:
    out = tmp_path / "match"
    assert run_cli(play_main, [STRENGTH_GAME, "strength", "call", "--games", "4", "--out", str(out)]) == 0
    lines = (out / "hands.log").read_text().splitlines()
    records = [line for line in (out / "games.jsonl").read_text().splitlines() if line]
    assert len(lines) == 4 == len(records)
    import json

    for i, (line, record) in enumerate(zip(lines, records)):
        match = STATE.match(line)
        assert match, line
        data = json.loads(record)
        assert int(match.group(1)) == i and [int(match.group(8)), int(match.group(9))] == data["returns"]
        assert {match.group(10), match.group(11)} == {"strength", "call"}
        assert match.group(2).count("/") <= 3
