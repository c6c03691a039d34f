"""Inference backends behind the evaluator contract: torch on the CPU, torch on CUDA (fp16/bf16) and
ONNX Runtime on the CPU, chosen by name.

``network_evaluator(path, game, backend="auto")`` gives a :data:`search.core.Evaluator` for a
checkpoint (``.pt``) or an exported ONNX file (``.onnx``):

* ``torch``: :class:`~agents.nets.evaluator.TorchEvaluator` on the CPU, float32;
* ``cuda``: the same network on the GPU, in ``precision`` fp16 (default), bf16 or fp32;
* ``onnx``: ONNX Runtime's CPU session over the network exported once per checkpoint (kept in the cache
  folder, :func:`onnx_cache_dir`), ``threads`` intra-op threads (measured on the shipped chess network
  with one thread: 2.5x torch at batch 1, 1.1x at batch 64);
* ``auto``: ``cuda`` when a GPU is visible, else ``onnx`` when onnxruntime is installed, else ``torch``.

Every backend returns logits with illegal actions at ``ILLEGAL_LOGIT`` and values for the player to move;
an exported model agrees with torch within 1e-4 (tested on 1,000 positions).
"""
from __future__ import annotations

import hashlib
import logging
import os
import warnings
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from agents.core import AgentError
from agents.nets.core import PolicyValueNet
from agents.nets.evaluator import ILLEGAL_LOGIT, TorchEvaluator
from games.core import Game

Backend = Literal["auto", "torch", "cuda", "onnx"]
"""Names of the backends (``auto`` picks one per machine)."""
BACKENDS: tuple[str, ...] = ("auto", "torch", "cuda", "onnx")
Precision = Literal["auto", "fp32", "fp16", "bf16"]
"""Float format of the CUDA backend (``auto`` = fp16)."""
ONNX_OPSET = 17
"""ONNX operator set of exported networks."""
_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class BackendError(AgentError):
    """An unknown backend, a backend this machine lacks, or an unusable ONNX file."""


def onnxruntime_available() -> bool:
    """Whether ``onnxruntime`` imports."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def default_backend() -> str:
    """``cuda`` with a GPU, else ``onnx`` with onnxruntime installed, else ``torch``."""
    if torch.cuda.is_available():
        return "cuda"
    return "onnx" if onnxruntime_available() else "torch"


def resolve_backend(backend: str) -> str:
    """The concrete backend for ``backend`` (``auto`` resolved); raises :class:`BackendError`."""
    if backend not in BACKENDS:
        raise BackendError(f"unknown backend '{backend}' (known: {', '.join(BACKENDS)})")
    name = default_backend() if backend == "auto" else backend
    if name == "cuda" and not torch.cuda.is_available():
        raise BackendError("backend cuda needs a CUDA GPU; none is visible (torch.cuda.is_available() is False)")
    if name == "onnx" and not onnxruntime_available():
        raise BackendError("backend onnx needs onnxruntime (pip install onnxruntime)")
    return name


def onnx_cache_dir() -> Path:
    """Folder of exported networks: ``$GAMESEARCH_CACHE/onnx`` or ``~/.cache/gamesearch/onnx``."""
    root = os.environ.get("GAMESEARCH_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "gamesearch")
    return Path(root) / "onnx"


class _Exportable(nn.Module):
    """A network with a fixed iteration count and a plain ``forward(obs)`` for export."""

    def __init__(self, model: PolicyValueNet, iters: int | None) -> None:
        super().__init__()
        self.model, self.iters = model, iters

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model(obs, iters=self.iters)


def export_onnx(model: PolicyValueNet, path: str | Path, game_name: str, iters: int | None = None) -> Path:
    """Export ``model`` (eval mode) to ONNX at ``path`` with a dynamic batch axis; the game's name and
    shapes go into the model's metadata. Written to a temporary file and renamed."""
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    model = model.eval()
    dummy = torch.zeros((2, *model.spec.observation_shape), dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated, and needs no onnxscript
        torch.onnx.export(_Exportable(model, iters), (dummy,), str(tmp), dynamo=False, opset_version=ONNX_OPSET,
                          input_names=["obs"], output_names=["logits", "values"],
                          dynamic_axes={"obs": {0: "batch"}, "logits": {0: "batch"}, "values": {0: "batch"}})
    proto = onnx.load(str(tmp))
    meta = {"game": game_name, "num_actions": str(model.spec.num_actions),
            "observation_shape": ",".join(str(d) for d in model.spec.observation_shape)}
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(tmp))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def exported_path(checkpoint: str | Path, iters: int | None = None) -> Path:
    """Where the ONNX export of ``checkpoint`` is cached (named by a hash of the file's bytes)."""
    digest = hashlib.sha256(Path(checkpoint).read_bytes()).hexdigest()[:20]
    return onnx_cache_dir() / f"{digest}-i{iters if iters is not None else 'd'}.onnx"


class OnnxEvaluator:
    """An ONNX Runtime CPU session as a :data:`search.core.Evaluator` (same contract as TorchEvaluator)."""

    def __init__(self, path: str | Path, game: Game, *, threads: int = 1, batch_size: int = 1024) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, int(threads))
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types for unreadable models
            raise BackendError(f"cannot load ONNX model {path}: {str(err).splitlines()[0]}") from None
        meta = self.session.get_modelmeta().custom_metadata_map
        if meta.get("game") != game.spec.name:
            raise BackendError(f"ONNX model {path} is for game '{meta.get('game', '?')}', not {game.spec.name}")
        shape = ",".join(str(d) for d in game.spec.observation_shape)
        if meta.get("observation_shape") != shape or meta.get("num_actions") != str(game.spec.num_actions):
            raise BackendError(f"ONNX model {path} does not fit {game.spec.name}'s observations or actions")
        self.batch_size = max(1, int(batch_size))
        self.evaluations = 0
        """Positions run through the network."""

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        obs = np.ascontiguousarray(observations, dtype=np.float32)
        mask = np.asarray(legal_mask, dtype=bool)
        if obs.shape[0] == 0:
            return np.zeros(mask.shape, np.float32), np.zeros(0, np.float32)
        logits_out, values_out = [], []
        for start in range(0, len(obs), self.batch_size):
            logits, values = self.session.run(None, {"obs": obs[start:start + self.batch_size]})
            logits_out.append(logits)
            values_out.append(values)
        self.evaluations += len(obs)
        logits = np.where(mask, np.concatenate(logits_out), ILLEGAL_LOGIT).astype(np.float32, copy=False)
        return logits, np.concatenate(values_out).astype(np.float32, copy=False).reshape(-1)


class _Cast(nn.Module):
    """Runs a network in another float format: inputs cast in, outputs float32 out."""

    def __init__(self, model: PolicyValueNet, dtype: torch.dtype) -> None:
        super().__init__()
        self.model, self.dtype = model.to(dtype), dtype

    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        logits, values = self.model(obs.to(self.dtype), iters=iters)
        return logits.float(), values.float()


def network_evaluator(path: str | Path, game: Game, *, backend: str = "auto", precision: str = "auto",
                      threads: int = 1, iters: int | None = None, cache_size: int = 0,
                      batch_size: int = 1024) -> Any:
    """A :data:`search.core.Evaluator` for the network in ``path`` (checkpoint ``.pt`` or ``.onnx``).

    Args:
        path: a checkpoint, or an ONNX file exported by :func:`export_onnx` (backend onnx only).
        game: the game to play; must be the network's.
        backend: ``auto``, ``torch``, ``cuda`` or ``onnx`` (module docstring).
        precision: CUDA float format: ``auto`` (fp16), ``fp16``, ``bf16`` or ``fp32``.
        threads: ONNX Runtime intra-op threads (torch uses the process's torch threads).
        iters: iterations of a recurrent network (default: its training count).
        cache_size: positions kept in the torch evaluator's cache (0 = none).
        batch_size: most positions per forward pass.

    Raises:
        BackendError: unknown or unavailable backend, or an unusable ONNX file.
        agents.nets.checkpoint.CheckpointError: unusable checkpoint.
    """
    from agents.nets.checkpoint import CheckpointError, load_network

    name = resolve_backend(backend)
    path = Path(path)
    if precision not in ("auto", *_DTYPES):
        raise BackendError(f"unknown precision '{precision}' (known: auto, {', '.join(_DTYPES)})")
    if path.suffix == ".onnx":
        if name != "onnx":
            raise BackendError(f"{path} is an ONNX file: use backend onnx (got {name})")
        if not path.is_file():
            raise BackendError(f"ONNX file {path} not found")
        return OnnxEvaluator(path, game, threads=threads, batch_size=batch_size)
    if name == "onnx":
        if not path.is_file():
            raise CheckpointError(f"checkpoint '{path}' does not exist")
        target = exported_path(path, iters)
        if not target.is_file():
            model, _ = load_network(path, game=game)
            export_onnx(model, target, game.spec.name, iters)
        return OnnxEvaluator(target, game, threads=threads, batch_size=batch_size)
    if name == "cuda":
        model, _ = load_network(path, game=game, device="cuda")
        dtype = _DTYPES["fp16" if precision == "auto" else precision]
        wrapped = model if dtype == torch.float32 else _Cast(model, dtype)
        return TorchEvaluator(wrapped, device="cuda", iters=iters, cache_size=cache_size,  # type: ignore[arg-type]
                              batch_size=batch_size)
    model, _ = load_network(path, game=game)
    return TorchEvaluator(model, device="cpu", iters=iters, cache_size=cache_size, batch_size=batch_size)


def agent_evaluator(path: str | Path, game: Game, *, backend: str = "auto", device: str = "cpu",
                    iters: int | None = None, threads: int = 1) -> Any:
    """The evaluator of an agent's ``net=`` option: ``device=cuda`` asks for the CUDA backend; with
    ``backend=auto`` a network that ONNX cannot export falls back to torch (logged). ``threads``: ONNX
    Runtime intra-op threads (torch uses the process's torch threads)."""
    if device not in ("cpu", "cuda"):
        raise BackendError(f"unknown device '{device}' (known: cpu, cuda)")
    if device == "cuda" and backend in ("auto", "cuda"):
        return network_evaluator(path, game, backend="cuda", iters=iters)
    if device == "cuda":
        raise BackendError(f"device=cuda needs backend auto or cuda; got {backend}")
    if backend == "auto" and resolve_backend("auto") == "onnx":
        try:
            return network_evaluator(path, game, backend="onnx", iters=iters, threads=threads)
        except (RuntimeError, TypeError, ValueError) as err:  # export of an unusual network failed
            if isinstance(err, AgentError):
                raise
            logging.getLogger(__name__).warning("ONNX export of %s failed (%s); using torch", path, err)
            return network_evaluator(path, game, backend="torch", iters=iters)
    return network_evaluator(path, game, backend=backend if backend != "auto" else resolve_backend("auto"),
                             iters=iters, threads=threads)
