"""`python -m tools.snapshot` (`make snapshot`): regenerate the bundled SYNTHETIC market and SEC snapshots.

Deterministic: the committed files are what this writes, byte for byte (the snapshot tests check it)."""

from __future__ import annotations

import sys

from tools.snapshot.market import write_snapshot
from tools.snapshot.sec import write_sec_snapshot


def main() -> int:
    market = write_snapshot()
    print(f"market snapshot written: {len(market.bars)} tickers, {market.truth['start']}..{market.truth['end']}")
    sec = write_sec_snapshot()
    print(f"SEC snapshot written: {len(sec.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
