"""Record a Playwright trace zip of the demo's action sequence on the demo site.

Run with a Python that has the `playwright` package (e.g. /opt/pw-venv/bin/python);
drives Debian's Chromium. Usage: python record_trace.py BASE_URL OUT_ZIP
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def main() -> None:
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 800, "height": 600})
        context.tracing.start(screenshots=True, snapshots=True, title="skyvern-tui demo: order a spur gear")
        page = context.new_page()
        page.goto(base + "/")
        page.fill("#username", "demo")
        page.fill("#password", "hunter2")
        page.click("#signin")
        page.wait_for_url("**/search.html*")
        page.wait_for_load_state("networkidle")
        page.select_option("#category", "gears")
        page.click("#filter")
        page.click("tr:has-text('Spur gear 24T') >> text=Order")
        page.wait_for_url("**/confirm.html*")
        page.wait_for_selector("#order-id")
        context.tracing.stop(path=out)
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
