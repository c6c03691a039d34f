"""The self-play network evaluator: ONNX Runtime re-exported at every weight update, or torch.

Workers (and the shared inference actor) get new weights every time the learner publishes. Torch loads
them in place; ONNX Runtime needs the network exported again and a new session. Measured on this 2-core
machine with the distilled chess network (6x64 resnet) under self-play's batches (16 games x 8 leaves):
export + session take 0.3 s, ONNX Runtime runs the self-play loop 1.15-1.2x faster than torch (one thread
each; interleaved runs, machine load 8), and a publish every 20 learner steps comes every minute or two,
so the export costs under 1% and ONNX wins. ``InferenceConfig.backend = "auto"`` therefore picks ONNX
Runtime on the CPU when it is installed (torch on CUDA, or when the export fails).
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agents.nets.backends import OnnxEvaluator, export_onnx, onnxruntime_available
from agents.nets.core import PolicyValueNet
from agents.nets.evaluator import TorchEvaluator

log = logging.getLogger(__name__)
_DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


class AutocastEvaluator(TorchEvaluator):
    """A :class:`TorchEvaluator` whose forward pass runs under ``torch.autocast`` in fp16 or bf16 (outputs
    float32); the weights stay float32, so :meth:`load_weights` takes the learner's state dict as is."""

    def __init__(self, model: PolicyValueNet, *, device: str, precision: str) -> None:
        super().__init__(model, device=device)
        self.dtype = _DTYPES[precision]

    def _forward(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.autocast(device_type=self.device.type, dtype=self.dtype):
            return super()._forward(obs)


class ReexportingOnnxEvaluator:
    """ONNX Runtime (CPU) over a torch network that is exported again whenever weights are loaded.

    Same contract as :class:`TorchEvaluator` (``__call__``, ``load_weights``, ``evaluations``). Each export
    goes to a temporary folder that is removed as soon as ONNX Runtime has read it (no file outlives the
    call, even when Ray kills the process).

    Args:
        model: the network (its weights are exported now and at every :meth:`load_weights`).
        game: the game (the ONNX file is checked against it).
        threads: ONNX Runtime intra-op threads.
    """

    def __init__(self, model: PolicyValueNet, game: Any, *, threads: int = 1) -> None:
        self.model, self.game, self.threads = model.eval(), game, threads
        self._session: OnnxEvaluator | None = None
        self._spent = 0
        self.exports = 0
        """Exports made (one at the start, one per :meth:`load_weights`)."""
        self._export()

    def _export(self) -> None:
        with tempfile.TemporaryDirectory(prefix="selfplay-onnx-") as folder:
            path = export_onnx(self.model, Path(folder) / "network.onnx", self.game.spec.name)
            session = OnnxEvaluator(path, self.game, threads=self.threads)
        if self._session is not None:
            self._spent += self._session.evaluations
        self._session = session
        self.exports += 1

    @property
    def evaluations(self) -> int:
        """Positions run through the network (all sessions)."""
        return self._spent + (self._session.evaluations if self._session is not None else 0)

    def load_weights(self, weights: dict[str, torch.Tensor]) -> None:
        """Load ``weights`` into the torch network and export it again."""
        self.model.load_state_dict(weights)
        self.model.eval()
        self._export()

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert self._session is not None
        return self._session(observations, legal_mask)


def resolve(backend: str, device: str) -> str:
    """The backend ``auto`` stands for on ``device``: ``onnx`` on the CPU with onnxruntime, else ``torch``."""
    if backend != "auto":
        return backend
    return "onnx" if device == "cpu" and onnxruntime_available() else "torch"


def make_evaluator(model: PolicyValueNet, game: Any, *, backend: str = "auto", device: str = "cpu",
                   precision: str = "fp32", threads: int = 1) -> Any:
    """A self-play evaluator with ``load_weights``: ONNX Runtime (re-exported per update), torch float32,
    or torch under autocast (``precision`` fp16/bf16). ``auto`` falls back to torch when the export fails."""
    name = resolve(backend, device)
    if name == "onnx":
        try:
            return ReexportingOnnxEvaluator(model, game, threads=threads)
        except (RuntimeError, TypeError, ValueError, ImportError) as err:
            if backend != "auto":
                raise
            log.warning("ONNX export failed (%s); self-play uses torch", err)
    if precision == "fp32":
        return TorchEvaluator(model, device=device)
    return AutocastEvaluator(model, device=device, precision=precision)
