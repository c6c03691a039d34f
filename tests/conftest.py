"""Fixtures shared by several test packages."""
from __future__ import annotations

import os
from typing import Iterator

import pytest
import torch

# Tournaments in tests use worker processes, not a Ray of their own per test (slow to start, and one Ray
# per pytest process would outlive the test); tests/benchmarks/test_ray_games.py tests the Ray path.
os.environ.setdefault("GAMESEARCH_GAMES_BACKEND", "processes")


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """One torch thread for a module (small batches on a shared machine run fastest so); restored afterwards.

    Use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def one_numba_thread() -> Iterator[None]:
    """One numba thread for a test (parallel kernels then take the serial path tests pin down; the
    machine's other tests keep the second core); restored afterwards.

    Use with ``pytestmark = pytest.mark.usefixtures("one_numba_thread")``.
    """
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)
