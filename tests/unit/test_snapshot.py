"""The bundled snapshot is exactly what the committed, seeded generator produces, and labelled synthetic."""

import gzip
import json
from pathlib import Path

from orchestration.paths import SNAPSHOT_DIR
from orchestration.universe import load_universe
from tools.snapshot.market import write_snapshot
from tools.snapshot.network import write_network_snapshot


def test_committed_snapshot_matches_generator(tmp_path: Path):
    write_snapshot(out_dir=tmp_path)
    committed = sorted(p.name for p in (SNAPSHOT_DIR / "yahoo_chart").glob("*.json.gz"))
    assert committed == sorted(p.name for p in (tmp_path / "yahoo_chart").glob("*.json.gz"))
    for name in committed:
        assert (tmp_path / "yahoo_chart" / name).read_bytes() == (SNAPSHOT_DIR / "yahoo_chart" / name).read_bytes()
    assert (tmp_path / "planted_truth.json").read_text() == (SNAPSHOT_DIR / "planted_truth.json").read_text()


def test_committed_network_snapshot_matches_generator(tmp_path: Path):
    """Generated from the committed BTC-USD bars, so the network's prices are the market snapshot's."""
    write_network_snapshot(out_dir=tmp_path)
    name = "network/coinmetrics_btc.json.gz"
    assert (tmp_path / name).read_bytes() == (SNAPSHOT_DIR / name).read_bytes()


def test_snapshot_covers_the_universe_and_says_synthetic():
    names = {p.name.removesuffix(".json.gz") for p in (SNAPSHOT_DIR / "yahoo_chart").glob("*.json.gz")}
    assert names == set(load_universe().tickers)
    body = json.loads(gzip.decompress((SNAPSHOT_DIR / "yahoo_chart" / "MARA.json.gz").read_bytes()))
    assert "SYNTHETIC" in body["chart"]["result"][0]["meta"]["comment"]
    truth = json.loads((SNAPSHOT_DIR / "planted_truth.json").read_text())
    assert truth["synthetic"] is True


def test_snapshot_is_small():
    size = sum(p.stat().st_size for p in SNAPSHOT_DIR.rglob("*") if p.is_file())
    assert size < 3 * 1024 * 1024
