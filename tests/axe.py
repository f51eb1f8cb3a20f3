"""axe-core run inside a Playwright page: the critical and serious WCAG 2.x A/AA violations.

axe is vendored from npm by `make vendor` (scripts/vendor-axe.sh) into tests/vendor/, never
served to users. The pages allow only `script-src 'self'`, so a `<script>` tag added by the
test (inline, or from a file path, which Playwright also inlines) would be refused and logged
as a console error. The source is evaluated through the DevTools protocol instead
(`page.evaluate`), which the page's CSP does not govern: the page itself stays under its real
CSP, unlike `bypass_csp=True`, and any page handed to the helper works, with no context set up
beforehand, unlike `add_init_script`. When the file is missing the tests fail, never skip.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Every WCAG 2.0, 2.1 and 2.2 success criterion of level A and AA that axe knows.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = ("critical", "serious")
DESKTOP, PHONE = 1280, 320
WIDTHS = (DESKTOP, PHONE)
HEIGHT = 800
TARGETS_SHOWN = 3

RUN = """async (tags) => {
    const results = await window.axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}"""


def _source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core est introuvable ({AXE.relative_to(AXE.parents[2])}) : lancez `make vendor` "
            "(make test le fait avant les tests)."
        )
    return AXE.read_text(encoding="utf-8")


def _describe(violation: dict[str, Any]) -> str:
    targets: list[str] = violation["targets"]
    shown = ", ".join(targets[:TARGETS_SHOWN])
    more = f" (+{len(targets) - TARGETS_SHOWN} autres)" if len(targets) > TARGETS_SHOWN else ""
    return (
        f"{violation['id']} [{violation['impact']}] {violation['help']} : "
        f"{len(targets)} élément(s) : {shown}{more}"
    )


def serious_violations(page: Page) -> list[str]:
    """The page's critical and serious violations as it is now, one readable line each
    (rule, impact, help, first target selectors); an empty list when there are none."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    violations: list[dict[str, Any]] = page.evaluate(RUN, WCAG_TAGS)
    return [_describe(v) for v in violations if v["impact"] in SERIOUS]


def width(page: Page, pixels: int) -> None:
    """The viewport set to `pixels` wide (1280 for a desktop, 320 for a small phone)."""
    page.set_viewport_size({"width": pixels, "height": HEIGHT})


def serious_violations_at_every_width(page: Page) -> list[str]:
    """serious_violations at 1280 then 320 px, each line prefixed with its width; the
    viewport is left at 320 px."""
    found: list[str] = []
    for pixels in WIDTHS:
        width(page, pixels)
        found.extend(f"{pixels} px : {line}" for line in serious_violations(page))
    return found
