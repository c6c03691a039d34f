"""Writing benchmark reports: ``report.md``, ``report.html`` (plots embedded), PNG plots, ``results.json``.

Every report ends with the section "How to make this again" and its ``results.json`` holds the same record
under ``provenance`` (:mod:`agents.provenance`: command, commit, package versions, machine, date, wall
time). Files are written atomically (a temporary file renamed) with mode 0644, readable by others like
the games files beside them."""
from __future__ import annotations

import base64
import html
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from agents.provenance import RunInfo, markdown as provenance_markdown  # noqa: E402

FILE_MODE = 0o644
"""Mode of every file written here (``mkstemp`` alone makes 0600)."""


@dataclass
class Report:
    """A report assembled section by section, then written to a folder."""

    title: str
    blocks: list[tuple[str, str]] = field(default_factory=list)
    """(kind, content): kind is "md" (markdown text), "table" (markdown table) or "figure" (file name)."""
    figures: dict[str, bytes] = field(default_factory=dict)
    """PNG bytes by file name."""

    def text(self, markdown: str) -> None:
        self.blocks.append(("md", markdown.strip()))

    def table(self, header: list[str], rows: list[list[Any]]) -> None:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        self.blocks.append(("table", "\n".join(lines)))

    def figure(self, name: str, fig: Figure) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.figures[name] = buf.getvalue()
        self.blocks.append(("figure", name))

    def write(self, out_dir: Path, results: dict[str, Any], provenance: RunInfo) -> dict[str, Any]:
        """Write the figures, ``results.json`` (``results`` plus ``provenance``), ``report.md`` and
        ``report.html`` (both ending with the "How to make this again" section); returns what went into
        ``results.json``."""
        record = provenance.to_json()
        results = {**results, "provenance": record}
        blocks = [*self.blocks, ("md", provenance_markdown(record))]
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, png in self.figures.items():
            atomic_write(out_dir / name, png)
        atomic_write(out_dir / "results.json", json.dumps(results, indent=2, default=_jsonable).encode())
        atomic_write(out_dir / "report.md", self._markdown(blocks).encode())
        atomic_write(out_dir / "report.html", self._html(blocks).encode())
        return results

    def _markdown(self, blocks: list[tuple[str, str]]) -> str:
        parts = [f"# {self.title}"]
        for kind, content in blocks:
            parts.append(f"![{content}]({content})" if kind == "figure" else content)
        return "\n\n".join(parts) + "\n"

    def _html(self, blocks: list[tuple[str, str]]) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, content in blocks:
            if kind == "figure":
                data = base64.b64encode(self.figures[content]).decode()
                body.append(f'<p><img alt="{html.escape(content)}" src="data:image/png;base64,{data}"></p>')
            elif kind == "table":
                body.append(_table_html(content))
            else:
                body.extend(_md_html(content))
        style = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
                 "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}img{max-width:100%}")
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
                f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def _table_html(markdown: str) -> str:
    rows = [r.strip().strip("|").split("|") for r in markdown.splitlines()]
    head = "".join(f"<th>{html.escape(c.strip())}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in r) + "</tr>" for r in rows[2:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _md_html(markdown: str) -> list[str]:
    out = []
    for para in markdown.split("\n\n"):
        para = para.strip()
        if para.startswith("```"):
            code = para.strip("`").strip("\n")
            out.append(f"<pre>{html.escape(code)}</pre>")
        elif para.startswith("|") and "\n|---" in para:
            out.append(_table_html(para))
        elif para.startswith("## "):
            out.append(f"<h2>{html.escape(para[3:])}</h2>")
        elif para.startswith("### "):
            out.append(f"<h3>{html.escape(para[4:])}</h3>")
        else:
            out.append(f"<p>{html.escape(para)}</p>")
    return out


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed; mode 0644."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
