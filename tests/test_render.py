"""Hostile log text is inert in Markdown and terminal output, verbatim in JSON."""

import json
from pathlib import Path

import pytest
from helpers import scan_paths, write_log

from logsweep.escape import for_html, for_markdown, for_terminal
from logsweep.render import render

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "[click](http://evil.example)",
    "evil\x1b]8;;http://evil.example\x07link\x1b]8;;\x07\x1b[31mred",
    "pipe|split`tick``",
]


def hostile_report(tmp_path: Path):  # type: ignore[no-untyped-def]
    lines = [
        f"Nov 24 10:00:0{i} web01 sshd[1]: Invalid user {u} from 198.51.100.7 port 1"
        for i, u in enumerate(HOSTILE)
    ]
    lines += [
        f"Nov 24 10:00:09 web01 sshd[1]: Failed password for {HOSTILE[0]} "
        "from 198.51.100.7 port 2 ssh2"
    ]
    write_log(tmp_path / "auth.log", lines)
    return scan_paths([tmp_path])


def test_json_keeps_log_text_verbatim(tmp_path: Path) -> None:
    data = json.loads(render(hostile_report(tmp_path), "json"))
    assert set(data["sshd"]["invalid_users"]) == set(HOSTILE)


def test_markdown_has_no_live_html_links_or_escapes(tmp_path: Path) -> None:
    text = render(hostile_report(tmp_path), "markdown")
    assert "\x1b" not in text and "\x07" not in text
    for line in text.splitlines():
        if "img src" in line or "evil.example" in line:
            # every hostile cell sits inside a code span, where Markdown makes no tag or link
            cell = line.split(" | ")[0].removeprefix("| ")
            assert cell.startswith("`") and cell.endswith("`"), line
    # a table row keeps its column count: the pipe inside a user name is escaped
    row = next(line for line in text.splitlines() if "pipe" in line)
    assert row.count(" | ") == 1


def test_terminal_table_shows_escape_bytes_as_text(tmp_path: Path) -> None:
    text = render(hostile_report(tmp_path), "table", color=False, width=200)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b]8;;http://evil.example\\x07" in text
    assert "<img src=x onerror=alert(1)>" in text  # shown as text, no markup meaning


@pytest.mark.parametrize("text", HOSTILE)
def test_escapers_never_pass_control_bytes(text: str) -> None:
    for escape in (for_markdown, for_terminal, for_html):
        out = escape(text)
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "<" not in for_html(text)


def test_markdown_code_span_fence_outgrows_backticks() -> None:
    assert for_markdown("a``b") == "```a``b```"
    assert for_markdown("`x") == "`` `x ``"
    assert for_markdown("") == "*(empty)*"
