"""Every fenced code block in README.md and docs/**/*.md is executed (or syntax-checked).

- ``python`` blocks run in order, one namespace per page (a reader follows a page top to
  bottom), in a temporary working directory holding a copy of ``examples/`` and the few
  files the docs assume the reader has (``READER_FILES``).
- ``bash`` / ``sh`` / ``shell`` / ``console`` blocks: each command must be a ``handoff ...``
  command; it runs as ``python -m handoff_ai ...`` in the same directory and must exit 0.
- ``toml`` / ``json`` blocks are parsed; other languages (markdown, text, output) are prose.

Markers, an HTML comment on the line just before the fence:

- ``<!-- docs: no-run (reason) -->`` — the block is not run; the reason is required and says
  why running is impossible here (installs packages, starts a server, needs an API key...).
  A python block is still compiled.
- ``<!-- docs: file NAME -->`` — the block is also written to ``NAME`` in the working
  directory before the page's code runs (a configuration file the page then loads).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELL = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*docs:\s*(?P<body>.*?)\s*-->\s*$")
NO_RUN = re.compile(r"^no-run\s*\((?P<reason>[^)]*\S[^)]*)\)$")
FILE = re.compile(r"^file\s+(?P<name>[\w./-]+)$")
SHELL_OPERATORS = {"&&", "||", "|", ";", ">", ">>", "<", "&"}
COMMAND_TIMEOUT = 120


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    marker: str | None  # the text of a ``<!-- docs: ... -->`` marker on the line before

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def no_run_reason(self) -> str | None:
        match = NO_RUN.match(self.marker or "")
        return match["reason"].strip() if match else None

    @property
    def file_name(self) -> str | None:
        match = FILE.match(self.marker or "")
        return match["name"] if match else None


def blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, start = opening["fence"], index
        index += 1
        body: list[str] = []
        while index < len(lines) and not lines[index].startswith(fence):
            body.append(lines[index])
            index += 1
        assert index < len(lines), f"{page.relative_to(ROOT)}:{start + 1}: unclosed code fence"
        marker = MARKER.match(lines[start - 1]) if start else None
        found.append(
            Block(page, start + 1, opening["lang"].lower(), "\n".join(body) + "\n", marker and marker["body"])
        )
        index += 1
    return found


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def _reader_files(directory: Path) -> None:
    """What the docs assume the reader has: the repository's examples, a taxonomy of
    their own, a JSONL of past conversations and a folder of exports."""
    import handoff_ai as ho

    shutil.copytree(ROOT / "examples", directory / "examples")
    shutil.copy(ROOT / "src" / "handoff_ai" / "data" / "taxonomy.toml", directory / "my_taxonomy.toml")
    (directory / "my_prompts").mkdir()
    shutil.copy(
        ROOT / "prompts" / "handoff_extract.v1.jinja", directory / "my_prompts" / "handoff_extract.v2.jinja"
    )
    exports = directory / "exports"
    exports.mkdir()
    rows = []
    for name in ("chat.json", "transcript.txt", "zendesk_ticket.json", "intercom_conversation.json"):
        shutil.copy(ROOT / "examples" / name, exports / name)
        conversation = ho.load(ROOT / "examples" / name)
        messages = [{"role": m.role, "text": m.text} for m in conversation.messages if m.text]
        rows.append(json.dumps({"id": conversation.id, "messages": messages}))
    (directory / "history.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _compile(block: Block) -> types.CodeType:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if block.no_run_reason else 0  # a no-run block may await
    return compile(block.code, block.where, "exec", flags=flags)


def _commands(block: Block) -> list[list[str]]:
    """The commands of a shell block, each as argv (comments removed, continuations joined)."""
    text = block.code.replace("\\\n", " ")
    commands = []
    for raw in text.splitlines():
        line = raw.strip()
        if block.lang == "console":
            if not line.startswith("$ "):
                continue  # output
            line = line[2:]
        argv = shlex.split(line, comments=True)
        if argv:
            commands.append(argv)
    return commands


def _run_page(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    page_blocks = blocks(page)
    _reader_files(tmp_path)
    for block in page_blocks:
        if block.file_name:
            target = tmp_path / block.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HANDOFF_AI_MODEL", "HANDOFF_AI_INTERCOM_ADMIN_ID"):
        env.pop(name, None)
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    for block in page_blocks:
        if block.lang == "python":
            code = _compile(block)
            if block.no_run_reason is None:
                exec(code, namespace)  # the docs are ours: running them is the point
                ran += 1
        elif block.lang in SHELL and block.no_run_reason is None:
            for argv in _commands(block):
                assert not SHELL_OPERATORS & set(argv), f"{block.where}: one plain command per line, please"
                assert argv[0] == "handoff", (
                    f"{block.where}: {shlex.join(argv)!r} is not a handoff command; "
                    "mark the block <!-- docs: no-run (reason) --> if it cannot run here"
                )
                done = subprocess.run(
                    [sys.executable, "-m", "handoff_ai", *argv[1:]],
                    cwd=tmp_path,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=COMMAND_TIMEOUT,
                    stdin=subprocess.DEVNULL,
                )
                assert done.returncode == 0, (
                    f"{block.where}: {shlex.join(argv)} exited {done.returncode}: {done.stderr}"
                )
                ran += 1
    return ran


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runnable = [b for b in blocks(page) if b.lang == "python" or b.lang in SHELL]
    if not runnable:
        pytest.skip("no python or shell blocks")
    ran = _run_page(page, tmp_path, monkeypatch)
    assert ran or all(b.no_run_reason for b in runnable)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=lambda block: block.where)
def test_block_marker_and_syntax(block: Block) -> None:
    if block.marker is not None:
        assert block.no_run_reason or block.file_name, (
            f"{block.where}: unknown marker {block.marker!r}; use 'no-run (reason)' or 'file NAME'"
        )
    if block.no_run_reason is not None:
        assert block.lang in SHELL | {"python"}, (
            f"{block.where}: no-run only applies to python and shell blocks"
        )
    if block.lang == "toml":
        tomllib.loads(block.code)
    elif block.lang == "json":
        json.loads(block.code)
    elif block.lang == "python":
        _compile(block)


def test_every_page_has_code_checked() -> None:
    """The collector sees the docs' blocks (a guard against a parser that finds nothing)."""
    langs = {block.lang for block in ALL_BLOCKS}
    assert {"python", "bash", "toml"} <= langs
    assert sum(block.no_run_reason is None and block.lang == "python" for block in ALL_BLOCKS) >= 15


def _hook():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        import reference
    finally:
        sys.path.pop(0)
    return reference


def test_generated_reference_pages() -> None:
    import handoff_ai as ho
    from handoff_ai.renderers import renderer_descriptions

    pages = _hook().render_pages()
    for name, _ in ho.formats():
        assert f"| `{name}` |" in pages["reference/parsers.md"]
    for name in renderer_descriptions():
        assert f"| `{name}` |" in pages["reference/renderers.md"]
    for field in ho.IntentSpec.model_fields:
        assert f"| `{field}` |" in pages["reference/configuration.md"]
    schema = pages["reference/schema.md"].split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(schema) == ho.HandoffRecord.json_schema()
    assert pages["benchmarks.md"].startswith("# Benchmarks")


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("material", reason="the docs extra (mkdocs-material) is not installed")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    assert (tmp_path / "site" / "reference" / "schema" / "index.html").is_file()
