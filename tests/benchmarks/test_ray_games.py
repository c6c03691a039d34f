"""Tournament games on Ray: chunks played concurrently equal one-by-one play; on a local cluster of two Ray
nodes both nodes play, and killing a worker mid-run loses no game and plays none twice."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks.game_runner import AgentCache, GameTask, play_task
from benchmarks.ray_games import GamePlayer, chunks

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "selfplay"))
from test_ray_job import _free_ports  # noqa: E402

MARKER = "GAMESEARCH_TEST_CLUSTER"
"""Environment variable naming this test's cluster: every process of it inherits it (Ray's agents rename
their command lines, so a command-line match misses them)."""


def _stop_marked(value: str) -> None:
    """SIGKILL every process whose environment holds ``MARKER=value`` (this test's cluster only)."""
    needle = f"{MARKER}={value}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass


def _tasks(pairing: tuple[str, str], count: int, game: str = "connect_four") -> list[GameTask]:
    a, b = pairing
    return [GameTask(game=game, pairing=pairing, agent_seeds=(3, 4), index=i,
                     seats=(a, b) if i % 2 == 0 else (b, a), seed=100 + i // 2, opening_plies=2)
            for i in range(count)]


def test_a_chunk_played_at_once_equals_tasks_played_one_by_one() -> None:
    tasks = _tasks(("mcts:sims=24,eval=rollout", "random"), 6)
    player = GamePlayer(slots=6)
    result = player.play(tasks)
    cache = AgentCache()
    alone = [play_task(t, cache) for t in tasks]
    cache.close()
    player.close()
    assert [dataclasses.replace(r, seconds=0.0) for r in result.records] == \
           [dataclasses.replace(r, seconds=0.0) for r in alone]


def test_chunks_keep_order_and_pairings() -> None:
    tasks = _tasks(("random", "mcts:sims=4"), 5) + _tasks(("random", "random"), 3)
    parts = chunks(tasks, 2)
    assert [len(c) for c in parts] == [2, 2, 1, 2, 1]
    assert [t for c in parts for t in c] == tasks


DRIVER = r"""
import json, os, signal, sys, threading
from benchmarks.ray_games import run_games_ray
from test_ray_games import _tasks
tasks = _tasks(("mcts:sims=32,eval=rollout", "mcts:sims=8,eval=rollout"), 48)
seen, actors, killed = [], [], []
lock = threading.Lock()

def sink(task, record):
    with lock:
        seen.append([task.index, record.seed, list(record.actions)])
        if len(seen) >= 4 and not killed:
            import ray
            pid = ray.get(actors[0].pid.remote())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

per_node = run_games_ray(tasks, sink, workers=2, slots=4, progress=False, on_actors=actors.extend)
print(json.dumps({"seen": seen, "nodes": dict(per_node), "killed": killed, "tasks": len(tasks)}))
"""


@pytest.mark.ray
@pytest.mark.skipif(shutil.which("ray") is None, reason="the ray command line is not installed")
def test_two_node_cluster_plays_on_both_nodes_and_survives_a_killed_worker() -> None:
    temp_dir = tempfile.mkdtemp(prefix="rg", dir="/tmp")
    gcs, dash, agent, client, node_manager, object_manager = _free_ports(6)
    env = dict(os.environ, RAY_AUTH_MODE="token", **{MARKER: temp_dir}, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests' / 'benchmarks'}"
               f"{os.pathsep}{ROOT / 'tests' / 'selfplay'}")
    env.pop("RAY_ADDRESS", None)
    try:
        subprocess.run(["ray", "start", "--head", "--num-cpus", "1", "--dashboard-host", "127.0.0.1",
                        "--port", str(gcs), "--dashboard-port", str(dash), "--dashboard-agent-listen-port", str(agent),
                        "--ray-client-server-port", str(client), "--temp-dir", temp_dir, "--disable-usage-stats"],
                       env=env, check=True, capture_output=True, text=True, timeout=120)
        subprocess.run(["ray", "start", "--address", f"127.0.0.1:{gcs}", "--num-cpus", "1",
                        "--node-manager-port", str(node_manager), "--object-manager-port", str(object_manager),
                        "--disable-usage-stats"],
                       env=env, check=True, capture_output=True, text=True, timeout=120)
        run = subprocess.run([sys.executable, "-c", DRIVER], cwd=ROOT, env=dict(env, RAY_ADDRESS=f"127.0.0.1:{gcs}"),
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        out = json.loads(run.stdout.strip().splitlines()[-1])
        indices = sorted(i for i, _, _ in out["seen"])
        assert indices == list(range(out["tasks"]))  # every game once: none lost, none twice
        assert len(out["killed"]) == 1
        assert len(out["nodes"]) == 2 and all(n > 0 for n in out["nodes"].values())
    finally:
        _stop_marked(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)
