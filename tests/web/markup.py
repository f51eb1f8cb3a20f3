"""A small HTML tree for assertions on parsed markup (what the browser would see)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list["Element | str"] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text content, entities decoded (so « <script> » here means it was escaped)."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self) -> "list[Element]":
        found = []
        for child in self.children:
            if isinstance(child, Element):
                found.append(child)
                found.extend(child.iter())
        return found

    def find_all(self, tag: str, **attrs: str) -> "list[Element]":
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.iter()
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in wanted.items())
        ]

    def find(self, tag: str, **attrs: str) -> "Element":
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def select_class(self, tag: str, css_class: str) -> "list[Element]":
        return [e for e in self.find_all(tag) if css_class in e.attrs.get("class", "").split()]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def unlabelled_fields(document: Element) -> list[str]:
    """Visible form fields without a <label for> naming their id (RGAA 11.1)."""
    labelled = {label.attrs.get("for") for label in document.find_all("label")}
    missing = []
    for element in document.iter():
        if element.tag not in ("input", "select", "textarea"):
            continue
        if element.attrs.get("type") in ("hidden", "submit", "button"):
            continue
        if element.attrs.get("id") not in labelled:
            missing.append(f"<{element.tag} name={element.attrs.get('name')}>")
    return missing


def duplicate_ids(document: Element) -> list[str]:
    ids = [e.attrs["id"] for e in document.iter() if "id" in e.attrs]
    return sorted({i for i in ids if ids.count(i) > 1})
