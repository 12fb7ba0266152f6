"""`python -m tools.snapshot` (`make snapshot`): regenerate the bundled SYNTHETIC market, network and SEC snapshots.

Deterministic: the committed files are what this writes, byte for byte (the snapshot tests check it)."""

from __future__ import annotations

import sys

from tools.snapshot.market import write_snapshot
from tools.snapshot.network import write_network_snapshot
from tools.snapshot.sec import write_sec_snapshot


def main() -> int:
    market = write_snapshot()
    print(f"market snapshot written: {len(market.bars)} tickers, {market.truth['start']}..{market.truth['end']}")
    network = write_network_snapshot()  # after the market: its prices are the BTC-USD closes just written
    print(f"network snapshot written: {len(network)} days")
    sec = write_sec_snapshot()
    print(f"SEC snapshot written: {len(sec.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
