"""What the policyholder's page tests share: a signed-in policyholder, reading cards and cells."""

from tests.web.markup import Element


def cell_value(cell: Element) -> str:
    """A table cell's text without the label shown only on a phone (« Soins du »)."""
    parts = [
        child
        if isinstance(child, str)
        else ("" if "cell-label" in child.attrs.get("class", "").split() else child.text)
        for child in cell.children
    ]
    return "".join(parts).strip()
