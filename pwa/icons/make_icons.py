"""Draw Careloop's app icons as PNG files with the standard library only.

Run: python pwa/icons/make_icons.py  (writes icon-192.png, icon-512.png, maskable-512.png)
The mark is a white loop (ring) with a tick-like gap on the theme colour; the maskable icon
keeps the mark inside the central 80 % safe zone and fills the whole square.
"""

import math
import struct
import zlib
from pathlib import Path

THEME = (11, 93, 107)  # #0b5d6b, the manifest's theme colour
WHITE = (255, 255, 255)
HERE = Path(__file__).parent


def png(width: int, height: int, pixel) -> bytes:
    """Encode an RGBA image whose colour at (x, y) is ``pixel(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def icon(size: int, maskable: bool):
    """Return the pixel function of one icon."""
    centre = size / 2
    scale = 0.32 if maskable else 0.40  # ring radius as a share of the size
    outer, inner = size * scale, size * scale * 0.62
    corner = 0 if maskable else size * 0.18

    def inside_rounded(x: float, y: float) -> bool:
        if corner == 0:
            return True
        cx = min(max(x, corner), size - corner)
        cy = min(max(y, corner), size - corner)
        return (x - cx) ** 2 + (y - cy) ** 2 <= corner ** 2

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        px, py = x + 0.5, y + 0.5
        if not inside_rounded(px, py):
            return (0, 0, 0, 0)
        dx, dy = px - centre, py - centre
        r = math.hypot(dx, dy)
        angle = math.degrees(math.atan2(-dy, dx)) % 360
        # A ring with a gap at the upper right: a loop that closes on itself.
        if inner <= r <= outer and not 20 <= angle <= 70:
            return (*WHITE, 255)
        # The dot at the loop's end.
        ex = centre + (outer + inner) / 2 * math.cos(math.radians(20))
        ey = centre - (outer + inner) / 2 * math.sin(math.radians(20))
        if math.hypot(px - ex, py - ey) <= (outer - inner) * 0.75:
            return (*WHITE, 255)
        return (*THEME, 255)

    return pixel


def main() -> None:
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True)):
        (HERE / name).write_bytes(png(size, size, icon(size, maskable)))
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
