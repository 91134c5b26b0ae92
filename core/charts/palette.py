"""Topic colours: one colour per topic number, the same in every chart and in the report.

The first 10 are Tableau 10 (what the charts always used). Past that, each next colour is the
candidate (a grid over hue, lightness, saturation) farthest in CIELAB from every colour already
taken, so topic 10 is never topic 0's blue again and neighbours stay tellable apart. A topic's
colour depends only on its number, not on how many topics the model has.

    >>> topic_colors(3)
    ['#4C78A8', '#F58518', '#54A24B']
    >>> len(set(topic_colors(120)))
    120
"""

from __future__ import annotations

import colorsys
from functools import lru_cache

import numpy as np

TABLEAU10 = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2", "#FF9DA6",
             "#9D755D", "#BAB0AC"]
_MAX = 300
# Plotly's hover toolbar sits in the top 30 px of a chart: titles and subplot titles start below it.
TOP_MARGIN = 60


def _hex(rgb) -> str:
    return "#{:02X}{:02X}{:02X}".format(*(int(round(c * 255)) for c in rgb))


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (n x 3, 0..1) to CIELAB (D65): distances there roughly follow perceived differences."""
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = lin @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]])
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


@lru_cache(maxsize=1)
def _sequence() -> tuple[str, ...]:
    cands = [colorsys.hls_to_rgb(h / 40, light, sat)
             for h in range(40) for light in (0.3, 0.42, 0.55, 0.68) for sat in (0.55, 0.85)]
    cand_rgb = np.array(cands)
    cand_lab = _lab(cand_rgb)
    chosen = [tuple(int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)) for c in TABLEAU10]
    nearest = np.min(np.linalg.norm(cand_lab[:, None, :] - _lab(np.array(chosen))[None, :, :], axis=2), axis=1)
    out = list(TABLEAU10)
    while len(out) < _MAX:
        i = int(np.argmax(nearest))
        out.append(_hex(cand_rgb[i]))
        nearest = np.minimum(nearest, np.linalg.norm(cand_lab - cand_lab[i], axis=1))
        nearest[i] = -1.0
    return tuple(out)


def topic_color(t: int) -> str:
    """Colour of topic number `t` (0-based)."""
    seq = _sequence()
    t = int(t)
    if t < len(seq):
        return seq[t]
    r, g, b = colorsys.hls_to_rgb((t * 0.381966) % 1.0, 0.3 + 0.4 * ((t * 7) % 5) / 4, 0.7)
    return _hex((r, g, b))


def topic_colors(n: int) -> list[str]:
    """Colours of topics 0..n-1, all distinct."""
    out: list[str] = []
    for t in range(int(n)):
        c = topic_color(t)
        while c in out:  # only possible past the precomputed sequence: nudge the blue channel
            c = "#{}{:02X}".format(c[1:5], (int(c[5:], 16) + 7) % 256)
        out.append(c)
    return out
