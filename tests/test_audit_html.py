"""The audit's HTML report (offline, escaped, charts) in a real headless browser, and ``handoff audit``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import handoff_ai as ho
from handoff_ai.apps.cli import main
from handoff_ai.audit.html import charts_available

from .audit_cases import load_cases

CASES = load_cases()


@pytest.fixture(scope="module")
def report() -> ho.AuditReport:
    conversations = [c.conversation for c in CASES]
    # A customer who types markup: it must be shown, never run.
    evil = conversations[0].model_copy(deep=True)
    evil.id = "evil"
    evil.messages[1].text = "A-10023 <script>alert(1)</script><img src=x onerror=alert(2)>"
    return ho.audit([*conversations, evil])


def test_the_page_is_self_contained_and_escapes_customer_text(report: ho.AuditReport) -> None:
    page = report.to_html(charts=False)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch: opens offline
    for section in ("Re-asks per handoff, by fact kind", "Worst conversations", "Contained by the bot"):
        assert section in page
    assert page.count('class="audit-chart"') == 4 and 'class="bar-row"' in page  # CSS bars
    assert page == report.to_html(charts=False)  # deterministic


def test_the_notebook_view_is_a_fragment(report: ho.AuditReport) -> None:
    fragment = report._repr_html_()
    assert "<html" not in fragment and 'class="handoff-audit"' in fragment


@pytest.mark.skipif(not charts_available(), reason="matplotlib (the 'audit' extra) is not installed")
def test_matplotlib_charts_are_inline_svg(report: ho.AuditReport) -> None:
    page = report.to_html(charts=True)
    assert page.count("<svg") == 4 and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page == report.to_html(charts=True)  # no dates or random ids in the SVG


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = _chromium()
    assert browser is not None
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=90, check=False)


@pytest.mark.skipif(_chromium() is None, reason="no chromium on this machine (.ci/run installs it)")
def test_a_real_browser_renders_the_report(report: ho.AuditReport, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(report.to_html(), encoding="utf-8")
    dom = _run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    html = dom.stdout
    assert "Worst conversations" in html and "c09" in html
    assert html.count('class="audit-chart"') == 4
    if charts_available():
        assert html.count("<svg") >= 4
    assert "<script>alert(1)</script>" not in html  # the escaped text stayed text
    shot = tmp_path / "report.png"
    result = _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert result.returncode == 0 and shot.exists()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page is a few KB


# -- handoff audit ----------------------------------------------------------------------------------


def _jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "history.jsonl"
    lines = [
        json.dumps(
            {
                "id": c.id,
                "messages": [m.model_dump(mode="json", exclude_none=True) for m in c.conversation.messages],
            }
        )
        for c in CASES[:10]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_command_writes_html_json_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path)
    out = tmp_path / "report.html"
    data = tmp_path / "out.json"
    entries = tmp_path / "entries.jsonl"
    code = main(["audit", str(source), "--html", str(out), "--json", str(data), "--jsonl", str(entries),
                 "--no-charts"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "Handoff audit" in printed and "re-asks" in printed
    summary = json.loads(data.read_text())["summary"]
    assert summary["conversations"] == 10 and summary["reasks"] > 0
    assert [json.loads(line)["conversation_id"] for line in entries.read_text().splitlines()] == [
        c.id for c in CASES[:10]
    ]
    assert "Worst conversations" in out.read_text()


def test_the_command_counts_unreadable_inputs_and_rejects_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _jsonl(tmp_path)
    source.write_text(source.read_text() + "{not json\n", encoding="utf-8")
    assert main(["audit", str(source), "-q"]) == 1
    err = capsys.readouterr().err
    assert "ParseError" in err and "1 input(s) could not be read" in err
    assert main(["audit", str(tmp_path / "missing.jsonl")]) == 2
