"""Make attacker-controlled log text inert wherever it is rendered.

Usernames, URLs and user agents come straight from the network.  Each output
gets its own escaping; JSON alone keeps the text verbatim (json escapes it).
"""

import html
import re

# C0 and C1 controls plus DEL: ANSI/OSC sequences start with ESC (0x1b) or CSI (0x9b);
# newlines would break a table row.  Shown as \xNN so the bytes stay visible.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """Replace control and bidi-override characters by their \\x/\\u escape."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def for_terminal(text: str) -> str:
    return visible_controls(text)


def for_html(text: str) -> str:
    return html.escape(visible_controls(text), quote=True)


def for_markdown(text: str, *, in_table: bool = True) -> str:
    """Inert in Markdown and in the HTML a Markdown renderer (Prefect's UI) makes of it.

    The text becomes an inline code span: inside one, CommonMark forms no
    link, autolink, emphasis or HTML tag.  The fence is one backtick longer
    than any run inside; pipes are escaped so a table cell cannot be split
    (GFM removes that backslash inside tables); control bytes are shown.
    """
    text = visible_controls(text)
    if not text:
        return "*(empty)*"
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "  # CommonMark strips one space each side when both are there
    return f"{fence}{text}{fence}"
