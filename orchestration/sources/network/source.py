"""The three network-statistics sources behind one interface: the CoinMetrics API, its SYNTHETIC snapshot, and
a folder of public files (MINERS_NETWORK_SOURCE)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd

from orchestration.paths import SNAPSHOT_DIR
from orchestration.sources.errors import NetworkDataError
from orchestration.sources.network.coinmetrics import CoinMetricsClient, live_session, parse_page, replay_session
from orchestration.sources.network.daily import Part, combine
from orchestration.sources.network.files import FILE_PRECEDENCE, network_files, read_network_file

SOURCES = ("snapshot", "live", "files")
SNAPSHOT_RESPONSE = SNAPSHOT_DIR / "network" / "coinmetrics_btc.json.gz"


@dataclass
class NetworkBatch:
    """What one fetch returned: one row per day, the files it could not read (file -> why), and the kept
    payloads."""

    rows: pd.DataFrame
    errors: dict[str, str] = field(default_factory=dict)
    payloads: list[Path] = field(default_factory=list)


class NetworkSource(Protocol):
    name: str
    is_synthetic: bool

    def fetch(self, start: date, end: date, payload_dir: Path) -> NetworkBatch:
        """Rows for `start`..`end` (inclusive); the raw payload is kept under `payload_dir`."""


class CoinMetricsSource:
    """The CoinMetrics community API, live or (snapshot) a recorded response replayed through the same client."""

    def __init__(self, name: str, client: CoinMetricsClient, is_synthetic: bool) -> None:
        self.name, self.client, self.is_synthetic = name, client, is_synthetic

    def fetch(self, start: date, end: date, payload_dir: Path) -> NetworkBatch:
        payload_dir.mkdir(parents=True, exist_ok=True)
        parts, payloads = [], []
        for number, body in enumerate(self.client.pages(start, end), start=1):
            kept = payload_dir / f"coinmetrics_{start}_{end}_page{number}.json"
            kept.write_bytes(body)  # as received, before parsing: a bad page is kept too
            payloads.append(kept)
            part = parse_page(body, kept.name)
            part.payload = str(kept)
            parts.append(part)
        return NetworkBatch(combine(parts, ["coinmetrics_api"], start, end), payloads=payloads)


class FilesSource:
    """A folder of public files (MINERS_NETWORK_FILES_DIR), each read on its own: a file that cannot be read is
    an error naming it and the field, and the others still load; FILE_PRECEDENCE chooses where they overlap."""

    name = "files"
    is_synthetic = False

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fetch(self, start: date, end: date, payload_dir: Path) -> NetworkBatch:
        if not self.folder.is_dir():
            raise NetworkDataError(f"MINERS_NETWORK_FILES_DIR {self.folder} is not a folder")
        payload_dir.mkdir(parents=True, exist_ok=True)
        parts: list[Part] = []
        errors, payloads = {}, []
        for path in network_files(self.folder):
            try:
                part = read_network_file(path)
            except NetworkDataError as error:  # the user's own file, still in the folder to fix and load again
                errors[path.name] = str(error)
                continue
            kept = payload_dir / path.name
            shutil.copyfile(path, kept)  # the file as it was when loaded, for re-parsing later
            part.payload = str(kept)
            parts.append(part)
            payloads.append(kept)
        return NetworkBatch(combine(parts, FILE_PRECEDENCE, start, end), errors=errors, payloads=payloads)


def build_network_source(name: str, files_dir: str | None, cache_dir: Path) -> NetworkSource:
    if name == "snapshot":
        return CoinMetricsSource("snapshot", CoinMetricsClient(replay_session(SNAPSHOT_RESPONSE)), is_synthetic=True)
    if name == "live":
        return CoinMetricsSource("live", CoinMetricsClient(live_session(cache_dir)), is_synthetic=False)
    if name == "files":
        if not files_dir:
            raise NetworkDataError("MINERS_NETWORK_SOURCE=files needs MINERS_NETWORK_FILES_DIR, the folder of files")
        return FilesSource(Path(files_dir).expanduser())
    raise NetworkDataError(
        f"unknown network source {name!r} (MINERS_NETWORK_SOURCE): expected one of {', '.join(SOURCES)}"
    )
