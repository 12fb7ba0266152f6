"""dbt's console lines in a dbt step: kept out of stdout when the run asks (the CLI's quiet default), echoed
otherwise; dbt's warnings and errors are logged either way."""

import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest


@dataclass
class FakeEvent:
    level: str
    msg: str

    @property
    def raw_event(self) -> dict:
        return {"info": {"level": self.level, "msg": self.msg}}

    def __str__(self) -> str:
        return self.msg

    def to_default_asset_events(self, **kwargs):
        yield f"event for {self.msg}"


class FakeInvocation:
    """What `stream` uses of dagster-dbt's DbtCliInvocation; it prints each event, as dagster-dbt does."""

    manifest, dagster_dbt_translator, target_path, project = {}, None, Path("target/x"), None

    def __init__(self, *events: FakeEvent) -> None:
        self.events = events

    def stream_raw_events(self):
        for event in self.events:
            sys.stdout.write(f"{event}\n")
            yield event


EVENTS = (FakeEvent("info", "1 of 2 OK created model m"), FakeEvent("warn", "Warning in test t"))


@pytest.mark.parametrize("echo", [False, True])
def test_dbt_console_lines(dbt_manifest, capsys, echo):
    from orchestration.defs.dbt.assets import stream

    context = mock.Mock()
    yielded = list(stream(context, FakeInvocation(*EVENTS), echo=echo))
    assert yielded == ["event for 1 of 2 OK created model m", "event for Warning in test t"]
    printed = capsys.readouterr().out
    assert ("1 of 2 OK created model m" in printed) is echo
    context.log.warning.assert_called_once_with("dbt: Warning in test t")
    context.log.error.assert_not_called()
