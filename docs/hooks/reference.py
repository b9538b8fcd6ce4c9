"""MkDocs hook: reference pages generated from the code at build time.

Adds to the site, without writing anything into ``docs/``:

- ``reference/configuration.md`` — the ``Taxonomy`` / ``IntentSpec`` / ``TeamSpec`` /
  ``RecognizerSpec`` fields, read from the pydantic models;
- ``reference/schema.md`` — the ``HandoffRecord`` JSON Schema (``HandoffRecord.json_schema()``);
- ``reference/parsers.md`` — every registered input format (``handoff_ai.formats()``);
- ``reference/renderers.md`` — every renderer (``renderer_descriptions()``);
- ``reference/backends.md`` — every registered backend and the backend classes;
- ``benchmarks.md`` — ``bench/README.md``, as it is in the repository.

``render_pages()`` is importable on its own (``tests/test_docs.py`` checks the generated
Markdown's code blocks too).
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _type_name(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return " | ".join(repr(arg) for arg in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(_type_name(arg) for arg in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return f"`{field.default_factory()!r}`"
    return f"`{field.default!r}`"


def _model_section(model: Any) -> list[str]:
    lines = [f"## `{model.__name__}`", "", inspect.getdoc(model) or "", ""]
    lines += ["| field | type | default | description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        lines.append(
            f"| `{name}` | `{_cell(_type_name(field.annotation))}` | {_cell(_default(field))} "
            f"| {_cell(field.description or '')} |"
        )
    return [*lines, ""]


def configuration_page() -> str:
    import handoff_ai as ho

    lines = [
        "# Configuration reference",
        "",
        "Generated from the pydantic models at build time. A taxonomy is given as "
        "`taxonomy=` (a `Taxonomy`, a path to TOML/JSON, or a dict) or `--taxonomy FILE`; "
        "see [Taxonomy](../taxonomy.md) for how it is used. Unknown keys are refused "
        "with `ConfigError`.",
        "",
    ]
    for model in (ho.Taxonomy, ho.IntentSpec, ho.TeamSpec, ho.RecognizerSpec):
        lines += _model_section(model)
    default = ROOT / "src" / "handoff_ai" / "data" / "taxonomy.toml"
    intents = [intent.name for intent in ho.Taxonomy.load(default).intents]
    lines += [
        "## The packaged taxonomy",
        "",
        "Used when no taxonomy is given (`src/handoff_ai/data/taxonomy.toml`); its intents: "
        + ", ".join(f"`{name}`" for name in intents)
        + ".",
        "",
    ]
    return "\n".join(lines)


def _schema_type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        return " or ".join(_schema_type(option) for option in prop["anyOf"])
    if "enum" in prop:
        return " / ".join(f"`{value}`" for value in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"array of {_schema_type(prop.get('items', {}))}"
    return str(kind)


def _schema_table(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    lines = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        lines.append(
            f"| `{name}` | {_cell(_schema_type(prop))} | {'yes' if name in required else ''} "
            f"| {_cell(prop.get('description', ''))} |"
        )
    return lines


def schema_page() -> str:
    import handoff_ai as ho

    schema = ho.HandoffRecord.json_schema()
    lines = [
        "# Record JSON Schema",
        "",
        "Generated at build time from `HandoffRecord.json_schema()` — the same document "
        "`handoff schema` prints and `GET /schema` serves. Field meanings: "
        "[The handoff record](../record.md).",
        "",
        f"## {schema.get('title', 'HandoffRecord')}",
        "",
        _cell(schema.get("description", "")),
        "",
        *_schema_table(schema),
        "",
    ]
    for name, definition in sorted(schema.get("$defs", {}).items()):
        lines += [f"## {name}", "", _cell(definition.get("description", "")), ""]
        if "properties" in definition:
            lines += [*_schema_table(definition), ""]
        elif "enum" in definition:
            lines += ["One of " + ", ".join(f"`{value}`" for value in definition["enum"]) + ".", ""]
    lines += ["## The whole schema", "", "```json", json.dumps(schema, indent=2), "```", ""]
    return "\n".join(lines)


def parsers_page() -> str:
    import handoff_ai as ho
    from handoff_ai.parsers import get_parser

    examples = sorted(path.name for path in (ROOT / "examples").iterdir() if path.is_file())
    lines = [
        "# Input formats (parsers)",
        "",
        "Generated from `handoff_ai.formats()`: every registered parser, in the order "
        "auto-detection tries them. `load(source, format=NAME)` or `--format NAME` picks one; "
        "how messages are normalized: [Input formats](../formats.md).",
        "",
        "| format | reads | file extensions |",
        "|---|---|---|",
    ]
    for name, description in ho.formats():
        extensions = ", ".join(f"`{ext}`" for ext in get_parser(name).extensions)
        lines.append(f"| `{name}` | {_cell(description)} | {extensions} |")
    lines += [
        "",
        "The repository's `examples/` folder has a sample of most of them: "
        + ", ".join(f"`{name}`" for name in examples if not name.endswith(".py"))
        + ".",
        "",
    ]
    return "\n".join(lines)


def renderers_page() -> str:
    from handoff_ai.renderers import renderer_descriptions

    lines = [
        "# Renderers and writers",
        "",
        "Generated from `handoff_ai.renderers.renderer_descriptions()`. "
        "`ho.render(record, NAME)` or `handoff summarize FILE --output NAME`; "
        "the helpdesk writers are described in [Writers](../writers.md).",
        "",
        "| name | output |",
        "|---|---|",
    ]
    for name, description in sorted(renderer_descriptions().items()):
        lines.append(f"| `{name}` | {_cell(description)} |")
    return "\n".join([*lines, ""])


def backends_page() -> str:
    from handoff_ai import backends

    lines = [
        "# Backends",
        "",
        "Generated from `handoff_ai.backends`. A backend turns a `Conversation` into a "
        "`HandoffRecord`; pass an instance or a registered name as `backend=` "
        "(`--backend NAME` on the command line). Model backends, prompts, retries and "
        "fallback: [LLM backends](../llm.md).",
        "",
        "Registered names: " + ", ".join(f"`{name}`" for name in backends.backend_names()) + ".",
        "",
    ]
    for cls in (
        backends.RulesBackend,
        backends.OpenAIBackend,
        backends.AsyncOpenAIBackend,
        backends.FallbackBackend,
        backends.AsyncFallbackBackend,
    ):
        signature = str(inspect.signature(cls.__init__)).replace("(self, ", "(").replace("(self)", "()")
        doc = inspect.getdoc(cls) or ""
        lines += [
            f"## `{cls.__name__}`",
            "",
            "```text",
            f"{cls.__module__}.{cls.__name__}{signature}",
            "```",
            "",
            doc.split("\n\n", 1)[0],
            "",
        ]
    return "\n".join(lines)


def benchmarks_page() -> str:
    text = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    note = "\n\n_This page is `bench/README.md` from the repository; the scripts it names are in `bench/`._\n"
    return re.sub(r"\A(# [^\n]*\n)", lambda m: m.group(1) + note, text, count=1)


def render_pages() -> dict[str, str]:
    """Site path → Markdown of every generated page."""
    return {
        "reference/configuration.md": configuration_page(),
        "reference/schema.md": schema_page(),
        "reference/parsers.md": parsers_page(),
        "reference/renderers.md": renderers_page(),
        "reference/backends.md": backends_page(),
        "benchmarks.md": benchmarks_page(),
    }


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, content in render_pages().items():
        files.append(File.generated(config, path, content=content))
    return files
