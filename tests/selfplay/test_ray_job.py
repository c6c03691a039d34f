"""``ray job submit`` of ``python -m selfplay.train`` to a head node started with ``ray start``.

The head gets its own temp dir and free ports so it neither joins nor disturbs another Ray on the
machine; it is stopped in a ``finally`` by killing exactly the processes of that temp dir (``ray stop``
would stop every Ray on the machine).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from agents.nets.checkpoint import latest_checkpoint, load_checkpoint

ROOT = Path(__file__).resolve().parents[2]
TINY = {
    "network": {"kind": "resnet", "blocks": 1, "channels": 8, "value_hidden": 16},
    "selfplay": {"games_per_worker": 4, "simulations": 8},
    "replay": {"capacity": 2000, "min_positions": 32},
    "learner": {"batch_size": 32, "publish_every": 2, "checkpoint_every": 2, "log_every": 2},
    "workers": 1,
}


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _stop_cluster(temp_dir: str) -> None:
    """Terminate the processes whose command line names ``temp_dir`` (this test's head node only)."""
    mine = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if temp_dir in cmd:
            mine.append(int(pid))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in mine:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        time.sleep(1.0)


@pytest.mark.ray
@pytest.mark.skipif(shutil.which("ray") is None, reason="the ray command line is not installed")
def test_ray_job_submit_trains_and_writes_a_checkpoint(tmp_path: Path) -> None:
    temp_dir = tempfile.mkdtemp(prefix="rj", dir="/tmp")  # short: Ray's socket paths must stay short
    gcs, dash, agent, client = _free_ports(4)
    env = dict(os.environ, RAY_AUTH_MODE="token")
    env.pop("RAY_ADDRESS", None)
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    run = tmp_path / "run"
    try:
        subprocess.run(["ray", "start", "--head", "--num-cpus", "2", "--dashboard-host", "127.0.0.1",
                        "--port", str(gcs), "--dashboard-port", str(dash), "--dashboard-agent-listen-port", str(agent),
                        "--ray-client-server-port", str(client), "--temp-dir", temp_dir, "--disable-usage-stats"],
                       env=env, check=True, capture_output=True, text=True, timeout=120)
        runtime_env = json.dumps({"excludes": ["/runs/", "/.git/", "*.pt", "__pycache__"]})
        job = subprocess.run(
            ["ray", "job", "submit", "--address", f"http://127.0.0.1:{dash}", "--working-dir", ".",
             "--runtime-env-json", runtime_env, "--",
             sys.executable, "-m", "selfplay.train", "connect_four", "--config", str(config), "--steps", "4",
             "--out", str(run), "--json", "--quiet"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert job.returncode == 0, job.stdout[-3000:] + job.stderr[-3000:]
        assert "succeeded" in job.stdout + job.stderr
        summary = next(json.loads(line) for line in job.stdout.splitlines() if line.startswith('{"game"'))
        assert summary["steps"] == 4 and summary["games"] > 0
        meta = load_checkpoint(latest_checkpoint(run)).metadata
        assert meta.learner_steps == 4 and meta.samples == summary["samples"] > 0
        assert json.loads((run / "config.json").read_text())["workers"] == 1
    finally:
        _stop_cluster(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)
