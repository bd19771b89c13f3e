"""Plot ingest -> searchable latency percentiles against offered load (docs/latency.png).

    .venv/bin/python bench/plot_latency.py

Reads bench/results/e2e.json, written by bench/end_to_end.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common

RESULTS = Path(__file__).resolve().parent / "results" / "e2e.json"
OUT = common.REPO / "docs" / "latency.png"


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    loads = json.loads(RESULTS.read_text())["loads"]
    offered = [r["offered"] for r in loads]
    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    for key, style in (("p50", "o-"), ("p95", "s--"), ("p99", "^:")):
        ax.plot(offered, [r[key] for r in loads], style, label=key)
    ax.axhline(2.0, color="grey", linewidth=0.8, label="p99 target (2 s)")
    ax.set_xlabel("offered load (articles/s)")
    ax.set_ylabel("produce → indexed (s)")
    ax.set_title("wirestream latency, 1 worker, 2 cores")
    # Log scales: the loads and the latencies each span two orders of magnitude, and the
    # 2 s target must stay readable beside a queue of minutes.
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(offered, [f"{o:g}" for o in offered])
    ax.minorticks_off()
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT)
    print(OUT)


if __name__ == "__main__":
    main()
