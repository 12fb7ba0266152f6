"""R6: ten reruns of one partition leave every raw table exactly as the first run left it."""

from pathlib import Path

from tests.pipeline.test_raw_market_prices import materialize_raw, table_digest
from tests.pipeline.test_raw_sec import digests, materialize_sec

RERUNS = 10


def test_ten_reruns_of_one_market_partition_are_identical(tmp_path: Path):
    assert materialize_raw(tmp_path, "2024-04-15", "2024-04-26").success
    first = table_digest(tmp_path)
    for _ in range(RERUNS):
        assert materialize_raw(tmp_path, "2024-04-22", "2024-04-22").success  # the Monday after the halving
        assert table_digest(tmp_path) == first


def test_ten_reruns_of_the_sec_assets_are_identical(tmp_path: Path):
    assert materialize_sec(tmp_path).success
    first = digests(tmp_path)
    for _ in range(RERUNS):
        assert materialize_sec(tmp_path).success
        assert digests(tmp_path) == first
