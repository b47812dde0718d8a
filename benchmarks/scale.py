"""FactBot at scale beside a BM25 + rapidfuzz anchor: `factbot bench scale` under another
name, so the benchmarks folder lists every benchmark.

    python benchmarks/scale.py --facts 1000 10000
"""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "scale", *sys.argv[1:]]))
