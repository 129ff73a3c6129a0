"""Class breaks for choropleth maps: quantiles (equal counts) or Jenks natural breaks (Fisher's exact
optimisation, minimal within-class variance). The method is always stated in the legend."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from observatoire import vocabulary
from presentation import text

METHODS = vocabulary.labels("class_methods")       # {quantiles: « Quantiles (effectifs égaux) », jenks: …}


@dataclass
class Classes:
    method: str
    edges: list[float]          # k+1 ascending edges, first = min, last = max
    counts: list[int]

    @property
    def k(self) -> int:
        return len(self.edges) - 1

    def assign(self, values) -> np.ndarray:
        """Class index 0..k-1 for each value (NaN -> -1). Upper edges are inclusive."""
        v = np.asarray(values, dtype=float)
        idx = np.searchsorted(np.asarray(self.edges[1:-1]), v, side="left")
        idx = np.clip(idx, 0, self.k - 1)
        idx[np.isnan(v)] = -1
        return idx

    def labels(self, decimals: int = 1, unit: str | None = None) -> list[str]:
        """'12,3 à 25,0 %' per class, French numbers."""
        return [f"{text.value_text(self.edges[i], 'ok', None, decimals)} à "
                f"{text.value_text(self.edges[i + 1], 'ok', unit, decimals)}" for i in range(self.k)]

    @property
    def title(self) -> str:
        return METHODS.get(self.method, self.method)


def _quantile_edges(v: np.ndarray, k: int) -> list[float]:
    return list(np.quantile(v, np.linspace(0, 1, k + 1)))


def _jenks_edges(v: np.ndarray, k: int) -> list[float]:
    """Fisher-Jenks by dynamic programming on sorted values (O(k·n²), vectorised over the split point)."""
    x = np.sort(v)
    n = len(x)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i0: np.ndarray, i1: int) -> np.ndarray:
        """Sum of squared deviations of x[i0:i1] for many i0 at once."""
        cnt = i1 - i0
        s = s1[i1] - s1[i0]
        return (s2[i1] - s2[i0]) - s * s / cnt

    cost = np.full((k + 1, n + 1), np.inf)
    back = np.zeros((k + 1, n + 1), dtype=int)
    cost[1, 1:] = [ssd(np.array([0]), i)[0] for i in range(1, n + 1)]
    for j in range(2, k + 1):
        for i in range(j, n + 1):
            m = np.arange(j - 1, i)              # last class is x[m:i]
            c = cost[j - 1, m] + ssd(m, i)
            best = int(np.argmin(c))
            cost[j, i] = c[best]
            back[j, i] = m[best]
    edges = [x[-1]]
    i = n
    for j in range(k, 1, -1):
        i = back[j, i]
        edges.append(x[i - 1])
    edges.append(x[0])
    return edges[::-1]


def breaks(values, k: int = 5, method: str = "quantiles") -> Classes | None:
    """Classes for the finite values; fewer classes when there are fewer distinct values."""
    v = np.asarray([x for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    k = max(1, min(k, len(np.unique(v))))
    if k == 1:
        edges = [float(v.min()), float(v.max())]
    elif method == "jenks":
        edges = [float(e) for e in _jenks_edges(v, k)]
    else:
        edges = [float(e) for e in _quantile_edges(v, k)]
    # Drop duplicated edges (ties at quantiles), keeping first and last.
    clean = [edges[0]]
    for e in edges[1:]:
        if e > clean[-1]:
            clean.append(e)
    if len(clean) == 1:
        clean.append(clean[0])
    cls = Classes(method=method, edges=clean, counts=[])
    idx = cls.assign(v)
    cls.counts = [int((idx == i).sum()) for i in range(cls.k)]
    return cls
