"""The headless-Chromium test helper (tests/browser.py) against a small self-contained page."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from browser import HeadlessChromium

pytestmark = pytest.mark.skipif(
    not HeadlessChromium.available(), reason="Chromium is not installed (no /usr/bin/chromium and no `chromium` on PATH)"
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid solid-colour RGB PNG, built by hand with zlib and struct."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))  # filter byte 0, then the pixels
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Browser helper check</title></head>
<body>
  <h1>Rows</h1>
  <img id="logo" alt="logo" width="32" height="32" src="data:image/png;base64,{png}">
  <select id="kind">
    <option value="all">all</option><option value="fruit">fruit</option><option value="veg">veg</option>
  </select>
  <ul id="rows">
    <li data-kind="fruit">apple</li><li data-kind="veg">carrot</li><li data-kind="fruit">pear</li>
    <li data-kind="veg">leek</li><li data-kind="fruit">plum</li>
  </ul>
  <script>
    document.getElementById("kind").addEventListener("change", event => {{
      for (const row of document.querySelectorAll("#rows li")) {{
        row.hidden = event.target.value !== "all" && row.dataset.kind !== event.target.value;
      }}
    }});
  </script>
</body></html>
"""

VISIBLE_ROWS = "Array.from(document.querySelectorAll('#rows li')).filter(li => getComputedStyle(li).display !== 'none').length"


def test_open_evaluate_filter_and_screenshot(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(PAGE.format(png=base64.b64encode(tiny_png()).decode()), encoding="utf-8")
    shot = tmp_path / "shot.png"

    with HeadlessChromium(width=800, height=600) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.title") == "Browser helper check"
        assert browser.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)") is True
        assert browser.evaluate(VISIBLE_ROWS) == 5

        browser.evaluate(
            "(() => { const s = document.getElementById('kind'); s.value = 'veg'; s.dispatchEvent(new Event('change')); })()"
        )
        assert browser.evaluate(VISIBLE_ROWS) == 2

        browser.screenshot(shot, full_page=True)

    assert shot.read_bytes().startswith(PNG_SIGNATURE)
