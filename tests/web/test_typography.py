"""French typography in every template: no breakable space before « : ; ? ! » nor inside « ».

A plain space (or a line break, which HTML renders as one) there lets the sign, or a lone
quotation mark, wrap alone to the next line; French wants a no-break space (U+00A0, `&nbsp;`)
or a narrow one (U+202F). The templates are read, not rendered, so every branch is checked:

- Jinja comments and `{% %}` statements are removed (their `-` trims the whitespace on its
  side, as Jinja does) and each `{{ }}` becomes one letter: `{{ label }} :` is an error, the
  space being the template's own text.
- In HTML templates only what people read or hear is checked: text content, across inline
  elements (`<b>Statut</b> :` is an error) but not across blocks, and the alt, title,
  aria-label and placeholder attributes; never tags, other attributes (addresses like
  `https://…`, classes, styles), nor `<script>`, `<style>`, `<code>`, `<pre>`. Entities are
  decoded first, so `&nbsp;:` is right.
- Text templates (emails) are text throughout.
- The string literals written inside `{{ }}` and `{% %}` (labels passed to macros, captions
  built with `~`) are text too and checked one by one.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_ROOTS = ("api/web", "api/notifications/templates", "api/accounts/templates")
TEMPLATES = sorted(
    path
    for folder in TEMPLATE_ROOTS
    for suffix in ("*.html", "*.txt")
    for path in (ROOT / folder).rglob(suffix)
    if "static" not in path.relative_to(ROOT).parts
)
# Plain whitespace before a high sign or a closing quote, or after an opening quote.
WRONG = re.compile(r"[ \t\r\n]+[:;?!»]|«[ \t\r\n]+")
JINJA = re.compile(r"\{#.*?#\}|\{%-?.*?-?%\}|\{\{-?.*?-?\}\}", re.DOTALL)
LITERAL = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'", re.DOTALL)
BLOCK_BREAK = "\x00"  # a block boundary: text on either side is never on the same line
EXPRESSION = "x"
READ_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "placeholder"})
SKIPPED = frozenset({"script", "style", "code", "pre", "kbd", "samp"})
INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "data", "dfn", "em", "i", "mark", "q", "s",
        "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "label", "output",
    }
)  # fmt: skip


@dataclass
class Finding:
    line: int
    excerpt: str

    def where(self, path: Path) -> str:
        return f"{path.relative_to(ROOT)}:{self.line}: {self.excerpt!r}"


def _line(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _excerpt(text: str, start: int, end: int) -> str:
    shown = text[max(0, start - 25) : end + 15].replace(BLOCK_BREAK, " | ")
    return re.sub(r"\s+", " ", shown).strip()


def _wrong_spacing(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in WRONG.finditer(text)]


def without_jinja(source: str) -> str:
    """The template's own text: statements and comments gone, each expression one letter,
    line breaks kept where Jinja's `-` does not trim them (so lines still count)."""
    pieces: list[str] = []
    position = 0
    trim_next = False
    for match in JINJA.finditer(source):
        before = source[position : match.start()]
        if trim_next:
            before = before.lstrip()
        tag = match.group()
        if tag[2:3] == "-":
            before = before.rstrip()
        pieces.append(before)
        kept_lines = "\n" * tag.count("\n")
        pieces.append((EXPRESSION if tag.startswith("{{") else "") + kept_lines)
        trim_next = tag[-3:-2] == "-"
        position = match.end()
    rest = source[position:]
    pieces.append(rest.lstrip() if trim_next else rest)
    return "".join(pieces)


def literal_findings(source: str) -> list[Finding]:
    """Text written as string literals inside `{{ }}` and `{% %}`."""
    found: list[Finding] = []
    for tag in JINJA.finditer(source):
        if tag.group().startswith("{#"):
            continue
        for literal in LITERAL.finditer(tag.group()):
            text = literal.group(1) if literal.group(1) is not None else literal.group(2)
            for start, end in _wrong_spacing(text):
                line = _line(source, tag.start() + literal.start())
                found.append(Finding(line, _excerpt(text, start, end)))
    return found


class ReadText(HTMLParser):
    """What a reader gets from the markup: one stream of text with block boundaries marked,
    each character's line kept, and the readable attributes apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chars: list[str] = []
        self.lines: list[int] = []
        self.attributes: list[tuple[int, str]] = []
        self.skipping = 0

    def _add(self, text: str, line: int) -> None:
        for char in text:
            self.chars.append(char)
            self.lines.append(line)
            line += char == "\n"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        self.attributes.extend((line, v) for k, v in attrs if k in READ_ATTRIBUTES and v)
        if tag in SKIPPED:
            self.skipping += 1
        if tag not in INLINE:
            self._add(BLOCK_BREAK, line)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        self.attributes.extend((line, v) for k, v in attrs if k in READ_ATTRIBUTES and v)
        if tag not in INLINE:
            self._add(BLOCK_BREAK, line)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        if tag not in INLINE:
            self._add(BLOCK_BREAK, self.getpos()[0])

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._add(data, self.getpos()[0])


def text_findings(text: str, *, html: bool) -> list[Finding]:
    if not html:
        return [Finding(_line(text, s), _excerpt(text, s, e)) for s, e in _wrong_spacing(text)]
    reader = ReadText()
    reader.feed(text)
    reader.close()
    stream = "".join(reader.chars)
    found = [Finding(reader.lines[s], _excerpt(stream, s, e)) for s, e in _wrong_spacing(stream)]
    for line, value in reader.attributes:
        found.extend(Finding(line, _excerpt(value, s, e)) for s, e in _wrong_spacing(value))
    return found


def findings(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = text_findings(without_jinja(source), html=path.suffix == ".html")
    found += literal_findings(source)
    return [f.where(path) for f in sorted(found, key=lambda f: f.line)]


def test_every_template_is_read() -> None:
    names = {str(path.relative_to(ROOT)) for path in TEMPLATES}
    assert "api/web/templates/base.html" in names
    assert "api/web/agent/templates/agent/report.html" in names
    assert "api/notifications/templates/email/payment_notice.txt" in names
    assert len(names) > 30


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_breakable_space_before_high_signs_or_inside_quotes(path: Path) -> None:
    assert findings(path) == []


@pytest.mark.parametrize(
    ("template", "html", "wrong"),
    [
        ("<p>Statut : reçu</p>", True, 1),
        ("<p>Statut&nbsp;: reçu, à 10:30, sur https://exemple.fr/?a=1</p>", True, 0),
        ("<p><strong>Statut</strong> : {{ status }}</p>", True, 1),
        ("<p>{{ label }} ?</p>", True, 1),
        ("<p>« {{ name }}&nbsp;»</p>", True, 1),
        ("<p>«&#8239;{{ name }}&#8239;» !</p>", True, 1),
        ("<p>Oui</p>\n<p>! rien</p>", True, 0),
        ('<a href="/x?y=1" class="a :b">Ok</a><style>a { color : red; }</style>', True, 0),
        ('<button aria-label="Fermer ?">x</button><script>a ? b : c;</script>', True, 1),
        ("{% if a %}Bonjour {% endif %}!", True, 1),
        ("Bonjour {{- name }}&nbsp;!", True, 0),
        ('{{ ui.input("q", "Texte : recherche") }}', True, 1),
        ("{# Un commentaire : jamais lu #}", True, 0),
        ("Référence : {{ reference }}\nhttps://exemple.fr/compte", False, 1),
    ],
)
def test_the_check_reads_what_people_read(template: str, html: bool, wrong: int) -> None:
    source = without_jinja(template)
    assert len(text_findings(source, html=html) + literal_findings(template)) == wrong
