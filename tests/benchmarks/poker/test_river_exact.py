"""``python -m benchmarks.poker river``: river searchers scored exactly against the blueprint at a tiny scale;
resuming from hands.jsonl; bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.poker.cli import main
from games.cli import run_cli
from tests.nolimit_blueprints import STRENGTH_GAME, strength_blueprint, strength_blueprints

pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def _spec(extra: str = "") -> str:
    return f"subgame:checkpoint={strength_blueprint()},street=3,iters=6,seconds=0,threads=1{extra}"


def test_river_report_and_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "river"
    first = ["river", "--game", STRENGTH_GAME, "--checkpoint", str(strength_blueprint()), "--hands", "21",
             "--agent", _spec(), "--out", str(out), "--json"]
    assert run_cli(main, first) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "results.json").read_text())
    assert saved["hands_played"] == 21 and not saved["partial"] and "provenance" in saved
    cell = saved["cells"][0]
    assert cell["hands"] == 21 and cell["river_hands"] >= 1 and cell["solves_per_river_hand"] >= 1
    assert printed["cells"][0]["gain_mbb"] == cell["gain_mbb"]
    rows = [json.loads(line) for line in (out / "hands.jsonl").read_text().splitlines()]
    assert len(rows) == 21 and all(r["gain"] == 0.0 for r in rows if not r["river"])
    for r in rows:  # a hand's gain is the mean of its two seats
        assert r["gain"] == pytest.approx(sum(r["seats"]) / 2)
    assert cell["gain_mbb"]["mean"] == pytest.approx(sum(r["gain"] for r in rows) / 21)
    for name in ("report.md", "report.html", "river.png"):
        assert (out / name).exists()
    assert [r["hand"] for r in rows if r["river"]] == [20]  # seed 0: the tiny blueprint's only river in 21 hands
    # resumed with a second agent: the first agent's hands are reused, only the new one's are measured
    both = first[:-3] + ["--agent", _spec(",sizes=blueprint,estimate=0"), "--out", str(out)]
    assert run_cli(main, both) == 0
    lines = (out / "hands.jsonl").read_text().splitlines()
    assert len(lines) == 42 and [json.loads(x) for x in lines[:21]] == rows
    cells = json.loads((out / "results.json").read_text())["cells"]
    assert cells[0]["gain_mbb"] == cell["gain_mbb"]
    assert cells[1]["minus_first_mbb"]["mean"] == pytest.approx(cells[1]["gain_mbb"]["mean"] - cell["gain_mbb"]["mean"])


@pytest.mark.parametrize("extra, message", [
    (["--hands", "0"], "--hands"), (["--max-minutes", "nan"], "--max-minutes"),
    (["--checkpoint", "missing.npz"], "missing.npz"), (["--measure", "br:0,1"], "--measure"),
    (["--measure", "bluff"], "--measure"),
    (["--agent", "subgame:checkpoint={bp},street=2,iters=5"], "river"), (["--agent", "cfr:checkpoint={bp}"], "river")])
def test_river_bad_input(extra: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    extra = [x.replace("{bp}", str(strength_blueprint())) for x in extra]
    argv = ["river", "--game", STRENGTH_GAME, "--checkpoint", str(strength_blueprint()), "--out", str(tmp_path), *extra]
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and message in err[0]


def test_river_agent_on_another_blueprint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    other = strength_blueprints()[0]
    argv = ["river", "--game", STRENGTH_GAME, "--checkpoint", str(strength_blueprint()), "--out", str(tmp_path),
            "--agent", f"subgame:checkpoint={other},street=3,iters=5"]
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and str(other) in err


def test_river_best_response_measure(tmp_path: Path) -> None:
    out = tmp_path / "br"
    argv = ["river", "--game", STRENGTH_GAME, "--checkpoint", str(strength_blueprint()), "--hands", "21",
            "--agent", _spec(), "--measure", "br", "--out", str(out)]
    assert run_cli(main, argv) == 0
    saved = json.loads((out / "results.json").read_text())
    assert saved["measure"] == "br" and saved["cells"][0]["river_hands"] == 1
    rows = [json.loads(line) for line in (out / "hands.jsonl").read_text().splitlines()]
    assert len(rows) == 21 and all(r["measure"] == "br" for r in rows)
    river = next(r for r in rows if r["river"])
    assert river["seats"] == pytest.approx([a - b for a, b in zip(river["br_agent"], river["br_blueprint"])])
    # a best response wins at least what the blueprint wins against itself, which sums to 0 over both seats
    assert sum(river["br_blueprint"]) >= -1e-6 and sum(river["br_agent"]) >= -1e-6
    cell = saved["cells"][0]
    assert cell["gain_mbb"]["mean"] == pytest.approx(cell["br_agent_mbb"]["mean"] - cell["br_blueprint_mbb"]["mean"])
    assert "best response" in (out / "report.md").read_text()
    # on-tree sizes only (the tiny blueprint's 0.5 and 1 pot): new rows beside the others, fewer options
    assert run_cli(main, argv[:-2] + ["--measure", "br:0.5,1", "--out", str(out)]) == 0
    on_tree = [json.loads(line) for line in (out / "hands.jsonl").read_text().splitlines()][21:]
    assert len(on_tree) == 21 and all(r["measure"] == "br:0.5,1" for r in on_tree)
    river_on = next(r for r in on_tree if r["river"])
    assert sum(river_on["br_blueprint"]) <= sum(river["br_blueprint"]) + 1e-6  # fewer sizes: no more to win


def test_exact_river_value_is_the_mean_of_hands_played_from_there() -> None:
    """From a real river state of the tiny blueprint, the searcher against the blueprint: the exact value
    equals the mean result of 4,000 hands played on from there with hole cards drawn from the ranges (both
    agents keep the solutions and translation draws of the exact walk, so they play the same strategies)."""
    import numpy as np

    from agents.arena.exact_river import river_value
    from agents.cfr_nolimit import NoLimitBlueprintAgent
    from benchmarks.poker.river_exact import make_searchers, river_start
    from games.registry import make_game
    from search.cfr.abstraction import COMBOS
    from search.cfr.nl_mirror import blueprint_ranges
    from search.cfr.nl_translate import walk_history

    game = make_game(STRENGTH_GAME)
    blueprint = NoLimitBlueprintAgent(game, str(strength_blueprint()), 0)
    start = river_start(game, blueprint, 20, 0)
    steps, _, _ = walk_history(blueprint.blueprint.tree, blueprint.rules, [list(x) for x in start.sequences],
                               blueprint.translator)
    ranges = blueprint_ranges(blueprint.blueprint, blueprint.source, steps, tuple(start.board))
    searcher = make_searchers(game, [_spec()], str(strength_blueprint()))[0]
    searcher.new_game(1)
    blueprint.new_game(1)
    exact = river_value(start, [blueprint, searcher], ranges, min_share=0.0).value
    rng = np.random.default_rng(3)
    p = [r / r.sum() for r in ranges]
    results = []
    while len(results) < 4000:
        h0, h1 = rng.choice(1326, p=p[0]), rng.choice(1326, p=p[1])
        if set(COMBOS[h0].tolist()) & set(COMBOS[h1].tolist()):
            continue  # the pair shares a card: never dealt together
        state = start.copy()
        state.hole = [COMBOS[h0].tolist(), COMBOS[h1].tolist()]
        while not state.is_terminal():
            state.apply((blueprint, searcher)[state.current_player].act(state))
        results.append(state.returns()[0])
    played = np.array(results)
    assert abs(played.mean() - exact) < 4.5 * played.std() / np.sqrt(len(played))
