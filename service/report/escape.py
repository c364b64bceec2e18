"""Markdown that is safe to render in a wiki or a Git host, whatever the data put in it.

Field names and values from deals and leads reach the reports in tables, prose and code spans.
Rather than trust every one of the many places that interpolate them, ``safe_markdown`` runs over
each finished document at the one place it is written (``write_markdown``) and makes inert
everything a renderer could act on, outside code (where nothing is rendered):

- raw HTML (``<script>``, ``<img onerror=...>``, ``<a href=...>``, autolinks ``<javascript:...>``):
  every ``<`` becomes ``&lt;``; the reports themselves use no HTML;
- links ``[text](target)`` whose target is not ``http(s)://``, ``mailto:``, ``#anchor`` or a
  plain relative path (``javascript:``, ``data:``, entity-encoded schemes): shown as text;
- images ``![alt](target)`` from anywhere but a relative path (remote images track readers):
  shown as text; the report's own plots are relative (``plots/...png``);
- link reference definitions (``[x]: javascript:...`` on a line of its own): shown as text.

A value that holds a backtick can end a code span early; what follows is then outside code and
made inert by the same rules.
"""

from __future__ import annotations

import re
from pathlib import Path

from service.data.atomic import write_text_atomic

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_LINK = re.compile(
    r"(!?)\[((?:\\.|[^\[\]\\])*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(\s+\"[^\"]*\")?\)"
)
_SAFE_LINK = re.compile(r"^(https?://[^\s<>\"']+|mailto:[^\s<>\"']+|#[\w-]*|[\w./-]+)$", re.I)
_SAFE_IMAGE = re.compile(r"^(?!/)(?!.*:)[\w./-]+$")
_REF_DEF = re.compile(r"^( {0,3})\[([^\]]+)\]:", re.MULTILINE)


def _inert_link(match: re.Match[str]) -> str:
    bang, text, target, title = match.group(1), match.group(2), match.group(3), match.group(4)
    allowed = _SAFE_IMAGE if bang else _SAFE_LINK
    if allowed.match(target) and ".." not in target.split("/"):
        return match.group(0)
    # shown as plain text: the brackets escaped so no renderer makes a link or image of it
    return f"{bang}\\[{text}\\]\\({target}{title or ''}\\)"


def _prose(text: str) -> str:
    """Outside code: no HTML, no unsafe links or images, no reference definitions."""
    text = text.replace("<", "&lt;")
    text = _LINK.sub(_inert_link, text)
    return _REF_DEF.sub(lambda m: f"{m.group(1)}\\[{m.group(2)}\\]:", text)


def _outside_spans(text: str) -> str:
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_prose(text[last : span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(_prose(text[last:]))
    return "".join(out)


def safe_markdown(text: str) -> str:
    """``text`` with raw HTML, unsafe links, remote images and reference definitions made inert
    outside code blocks and code spans (see the module docstring)."""
    out, last = [], 0
    for fence in _FENCE.finditer(text):
        out.append(_outside_spans(text[last : fence.start()]))
        out.append(fence.group(0))
        last = fence.end()
    out.append(_outside_spans(text[last:]))
    return "".join(out)


def write_markdown(path: str | Path, text: str) -> None:
    """Write a report (atomically), made safe to render by ``safe_markdown``."""
    write_text_atomic(path, safe_markdown(text))
