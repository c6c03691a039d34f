"""agents.flags: flags generated from config dataclasses (types, docstrings, defaults, nesting, aliases, errors)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from agents.flags import CliParser, add_flags, field_docs, flag_names_in, from_flags
from games.core import InputError


@dataclass(frozen=True)
class Inner:
    """A nested config."""

    hidden: int = 16
    """Units per layer."""

    def __post_init__(self) -> None:
        if self.hidden < 1:
            raise ValueError(f"hidden must be >= 1; got {self.hidden}")


@dataclass(frozen=True, kw_only=True)
class Outer:
    """A config with one field of each kind."""

    steps: int
    """Optimizer steps (required)."""
    lr: float = 1e-3
    """Peak learning rate: 100% at the start."""
    mirror: bool = True
    """Mirror half of each batch."""
    mode: Literal["fast", "exact"] = "fast"
    """How to solve."""
    minutes: float | None = None
    """Time budget; None = none."""
    net: Inner = field(default_factory=lambda: Inner(hidden=32))
    """The network."""


def _parse(*argv: str, **kwargs: object) -> Outer:
    parser = CliParser(prog="t")
    add_flags(parser, Outer, **kwargs)  # type: ignore[arg-type]
    return from_flags(Outer, parser.parse_args(list(argv)))


def test_field_docstrings_are_read_from_the_source() -> None:
    docs = field_docs(Outer)
    assert docs["lr"] == "Peak learning rate: 100% at the start." and docs["net"] == "The network."
    assert field_docs(Inner) == {"hidden": "Units per layer."}


def test_defaults_exist_once_and_every_field_can_be_set() -> None:
    assert _parse("--steps", "5") == Outer(steps=5)
    cfg = _parse("--steps", "5", "--lr", "0.5", "--no-mirror", "--mode", "exact", "--minutes", "2.5",
                 "--net-hidden", "8")
    assert cfg == Outer(steps=5, lr=0.5, mirror=False, mode="exact", minutes=2.5, net=Inner(hidden=8))
    assert _parse("--steps", "5", "--minutes", "none").minutes is None
    assert _parse("--steps", "1", "--hidden", "4", aliases={"net.hidden": ["--hidden"]}).net.hidden == 4


def test_help_shows_docstrings_and_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    parser = CliParser(prog="t")
    add_flags(parser, Outer)
    text = parser.format_help()
    assert "Peak learning rate: 100% at the start. (default: 0.001)" in " ".join(text.split())
    assert "--net-hidden" in text and "(default: 32)" in text and "{fast,exact}" in text


def test_base_values_stay_unless_a_flag_is_given() -> None:
    parser = CliParser(prog="t")
    add_flags(parser, Outer, skip={"steps"})
    base = Outer(steps=9, lr=0.25, net=Inner(hidden=3))
    assert from_flags(Outer, parser.parse_args([]), base=base) == base
    assert from_flags(Outer, parser.parse_args(["--net-hidden", "7"]), base=base) == Outer(
        steps=9, lr=0.25, net=Inner(hidden=7))


@pytest.mark.parametrize("argv, message", [
    (["--lr", "1"], "--steps"),  # required
    (["--steps", "x"], "invalid int value: 'x'"),
    (["--steps", "1", "--mode", "slow"], "invalid choice: 'slow'"),
    (["--steps", "1", "--net-hidden", "0"], "--net-hidden must be >= 1; got 0"),
    (["--steps", "1", "--depth", "3"], "unrecognized arguments: --depth"),
])
def test_bad_input_raises_one_input_error_naming_the_flag(argv: list[str], message: str) -> None:
    with pytest.raises(InputError) as err:
        _parse(*argv)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_field_names_in_messages_become_flags() -> None:
    assert flag_names_in("need lr > 0 and hidden >= 1 (--mode, net.hidden)", Outer) == \
        "need --lr > 0 and --net-hidden >= 1 (--mode, net.hidden)"
