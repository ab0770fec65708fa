"""Check, in a headless browser without a network, that the built docs' formulas render.

MathJax comes with the docs (``sphinx-mathjax-offline``), not from a CDN. Each built page
with a formula is loaded by headless Chromium with the network off; the page passes when
MathJax turned every formula into ``mjx-container`` elements and no raw TeX delimiter
(``\\[``, ``\\(``) is left in its text. Run after ``make docs``:
``python docs/check_math.py [docs/_build/html]`` (``make docs-check``). Without a
Chromium on the machine it says so and checks nothing (exit status 0).
"""

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def rendered(browser, page):
    """``(formulas on the page, formulas rendered, raw TeX left)`` as the browser shows it."""
    dom = subprocess.run(
        [
            browser, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--virtual-time-budget=20000", "--dump-dom", page.resolve().as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout  # fmt: skip
    html = page.read_text(encoding="utf-8")
    expected = len(re.findall(r'class="math[ "]', html))
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S))
    return expected, dom.count("<mjx-container"), len(re.findall(r"\\\[|\\\(", text))


def main(root="docs/_build/html"):
    browser = next((b for b in BROWSERS if shutil.which(b)), None)
    if browser is None:
        print("check_math: no headless Chromium on this machine; formulas not checked")
        return 0
    pages = [
        p for p in sorted(Path(root).rglob("*.html")) if 'class="math' in p.read_text("utf-8")
    ]
    if not pages:
        print(f"check_math: no page with a formula under {root}: build the docs first")
        return 1
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: rendered(browser, p), pages))
    bad = [
        f"{page}: {shown} of {expected} formulas rendered, {raw} raw TeX delimiters left"
        for page, (expected, shown, raw) in zip(pages, results)
        if shown < expected or raw or not shown
    ]
    print("\n".join(bad) or f"check_math: formulas render offline on all {len(pages)} pages")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
