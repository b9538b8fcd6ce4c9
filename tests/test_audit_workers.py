"""``handoff audit --workers N``: the same outputs, byte for byte, as one process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from handoff_ai.apps.cli import main

from .audit_cases import load_cases

ROOT = Path(__file__).resolve().parents[1]
ABCD = ROOT.parent / "shared" / "data" / "abcd" / "dev.jsonl"
PARSERS = ROOT / "tests" / "fixtures" / "parsers"
CASES = load_cases()


def _row(case_id: str, conversation: object) -> str:
    messages = [m.model_dump(mode="json", exclude_none=True) for m in conversation.messages]  # type: ignore[attr-defined]
    return json.dumps({"id": case_id, "messages": messages}, ensure_ascii=False)


def _folder(tmp_path: Path) -> Path:
    """Mixed formats as a history export holds them, with files that cannot be read."""
    folder = tmp_path / "export"
    folder.mkdir()
    for path in sorted((ROOT / "examples").iterdir()):
        if path.suffix in (".json", ".txt", ".eml"):
            shutil.copy(path, folder / path.name)
    for path in sorted(PARSERS.iterdir()):
        if not path.name.endswith(".expected.json") and path.suffix in (".json", ".eml", ".mbox", ".txt"):
            shutil.copy(path, folder / f"fixture-{path.name}")
    for case in CASES[:25]:  # re-asks, repeats, transfers with waits and moods
        (folder / f"case-{case.id}.json").write_text(_row(case.id, case.conversation), encoding="utf-8")
    (folder / "broken.json").write_text("{broken", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes(
        "Customer: Où est ma commande ? Ça fait 3 semaines\n".encode("latin-1")
    )
    (folder / "emoji.txt").write_text(
        "Customer: 📦📦📦 where is order 88213??\nAgent: checking 🙏\n", encoding="utf-8"
    )
    return folder


def _jsonl(tmp_path: Path) -> Path:
    """More rows than the workers hold in flight, a bad line, an invalid row, a line that is not UTF-8."""
    lines = [_row(case.id, case.conversation) for case in CASES]
    if ABCD.exists():
        with ABCD.open(encoding="utf-8") as handle:
            lines += [next(handle).rstrip("\n") for _ in range(300)]
    lines.insert(7, "{not json")
    lines.insert(40, json.dumps({"id": "no-messages", "messages": "nope"}))
    lines.insert(41, "")
    path = tmp_path / "history.jsonl"
    data = "\n".join(lines).encode("utf-8") + b"\n" + b'{"id": "\xff\xfe"}\n' + lines[0].encode() + b"\n"
    path.write_bytes(data)
    return path


def _run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, inputs: list[Path], *flags: str
) -> tuple[int, str, str, bytes, bytes, bytes]:
    out = tmp_path / name
    out.mkdir()
    code = main(
        ["audit", *map(str, inputs), "--json", str(out / "a.json"), "--jsonl", str(out / "a.jsonl"),
         "--html", str(out / "a.html"), "--no-charts", "--worst", "5", *flags]
    )  # fmt: skip
    printed, err = capsys.readouterr()
    files = tuple((out / f"a.{ext}").read_bytes() for ext in ("json", "jsonl", "html"))
    return (code, printed, err, *files)  # type: ignore[return-value]


def test_workers_write_the_same_json_jsonl_html_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = [_folder(tmp_path), _jsonl(tmp_path)]
    one = _run(capsys, tmp_path, "one", inputs)
    two = _run(capsys, tmp_path, "two", inputs, "--workers", "2")
    assert one == two
    code, printed, err, data, lines, _ = two
    assert code == 1 and "Handoff audit" in printed
    skipped = [line for line in err.splitlines() if line.endswith("(skipped)")]
    # Files the folder cannot read (examples/*.py are not copied), then the JSONL's bad lines, in input order.
    assert [line.split(": ")[1] for line in skipped if "history" in line or "broken" in line][:2] == [
        "broken",
        "history-8",
    ]
    assert f"handoff: {len(skipped)} input(s) could not be read" in err
    report = json.loads(data)
    entries = [json.loads(line) for line in lines.decode().splitlines()]
    assert report["summary"]["conversations"] == len(entries) > len(CASES)
    assert report["summary"]["reasks"] > 0 and len(report["worst"]) == 5


def test_workers_keep_ties_among_the_worst_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same conversations many times over: equal severities, so only the input order ranks them.
    path = tmp_path / "repeated.jsonl"
    rows = [_row(f"{case.id}-{n}", case.conversation) for n in range(12) for case in CASES[:12]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    one = _run(capsys, tmp_path, "one", [path], "--worst", "3")
    two = _run(capsys, tmp_path, "two", [path], "--worst", "3", "--workers", "2")
    assert one == two
    worst = [entry["conversation_id"].rpartition("-") for entry in json.loads(two[3])["worst"]]
    copies: dict[str, list[int]] = {}
    for case_id, _, copy in worst:
        copies.setdefault(case_id, []).append(int(copy))
    assert len(worst) == 3 and all(found == list(range(len(found))) for found in copies.values()), worst


def test_workers_read_the_taxonomy_recognizers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Only the taxonomy's recognizer knows "zqvxkw" is a value: the new agent showing it is a warm handoff.
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(
        '[[intents]]\nname = "loyalty"\nkeywords = ["points"]\n\n'
        '[[recognizers]]\nkind = "member_code"\npattern = "\\\\bzq[a-z]{4}\\\\b"\n',
        encoding="utf-8",
    )
    messages = [
        {"role": "customer", "content": "My points vanished, member zqvxkw"},
        {"role": "bot", "content": "Let me transfer you to an agent."},
        {"role": "agent", "content": "Hi, I have zqvxkw open here."},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": f"c{n}", "messages": messages}) for n in range(40)) + "\n",
        encoding="utf-8",
    )
    one = _run(capsys, tmp_path, "one", [path], "--taxonomy", str(taxonomy))
    two = _run(capsys, tmp_path, "two", [path], "--taxonomy", str(taxonomy), "--workers", "2")
    assert one == two
    assert json.loads(two[3])["summary"]["warm"] == 40
