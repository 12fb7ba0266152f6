"""The block subsidy from bitcoin's halving schedule: 50 BTC, halved every 210,000 blocks.

The subsidy is derived from a block height, or from a UTC day through the dates the halving blocks were
mined; it is never a constant in a table.
"""

from __future__ import annotations

from datetime import date

INITIAL_SUBSIDY_BTC = 50.0
HALVING_INTERVAL_BLOCKS = 210_000
# The UTC day each halving block was mined (heights 210,000, 420,000, 630,000, 840,000). A day on or after it
# takes the new subsidy: the 2024 halving (block 840,000, 00:09 UTC) covered almost all of 2024-04-20.
HALVING_DATES = (date(2012, 11, 28), date(2016, 7, 9), date(2020, 5, 11), date(2024, 4, 20))


def subsidy_at_height(height: int) -> float:
    """The subsidy of the block at `height`, in BTC."""
    return INITIAL_SUBSIDY_BTC / 2 ** (height // HALVING_INTERVAL_BLOCKS)


def subsidy_on(day: date) -> float:
    """The subsidy in force on the UTC `day`, in BTC; after the last known halving date, the next halvings
    are not dated yet, so the subsidy stays that era's."""
    halvings = sum(1 for halving in HALVING_DATES if day >= halving)
    return subsidy_at_height(halvings * HALVING_INTERVAL_BLOCKS)
