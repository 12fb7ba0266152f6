"""R7: identifiers are validated before they reach a URL, a SQL statement or a file path; SQL is parameterized;
the servers bind to loopback; SEC_USER_AGENT is never logged."""

from __future__ import annotations

import ast
import functools
import logging
import re
import shlex
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
import requests
from requests.adapters import BaseAdapter

from orchestration import cli
from orchestration.defs.ingest.warehouse_io import replace_market_prices
from orchestration.defs.resources import SecSourceResource, WarehouseResource
from orchestration.defs.sec import assets as sec_assets
from orchestration.defs.sec import warehouse_io
from orchestration.paths import PROJECT_ROOT, SEEDS_DIR, SNAPSHOT_DIR
from orchestration.sources.errors import SecDataError
from orchestration.sources.market import CsvSource
from orchestration.sources.sec import source as sec_source
from orchestration.sources.sec.edgar import (
    CIK_PATTERN,
    EdgarClient,
    check_accession,
    check_document,
    company_facts_url,
    document_url,
    live_session,
    normalize_cik,
    submissions_url,
)
from orchestration.sources.sec.source import Company, EdgarSource
from orchestration.sources.yahoo_replay import YahooReplayAdapter
from orchestration.universe import check_ticker, load_universe
from tests.reliability.conftest import Answer, ForwardToLoopback, LoopbackServer

CIK = "0000827876"
ACCESSION = "0000827876-24-000123"
DOCUMENT = "clsk-20240331.htm"

HOSTILE = [
    "../../etc/passwd",
    "0000827876/../x",
    "0000827876\n",
    "0000827876\x00",
    "1; drop table raw.sec_filings",
    "' or 1=1 --",
    "\u0661\u0662\u0663",  # Arabic-Indic digits: str.isdigit() says yes
    "\uff11\uff12\uff13",  # fullwidth digits
    "\u00b2",  # superscript two, also isdigit()
    "%2e%2e%2fx",
    "-1",
    "9" * 10_000,
    "a" * 5_000,
    "",
    " ",
]
# Number-like values that are no CIK and no accession (as document names they are plain file names).
NOT_A_CIK = ["0x1F", "+827876", "1e5", "12345678901", "827876.0", "0", "1_000"]
# Hostile fragments put before, after and inside valid identifiers.
FRAGMENTS = ["/", "../", "\\", "?", "#", "%2F", ";", "'", '"', " ", "\n", "\r\n", "\t", "\x00", "..", "*", "\u0661"]


class RecordingTransport(BaseAdapter):
    """Records every request it is asked to send, and answers none."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        raise requests.ConnectionError(f"test transport: no request may be sent ({request.url})")

    def close(self) -> None:
        pass


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def client(transport: RecordingTransport) -> EdgarClient:
    session = requests.Session()
    session.mount("https://", transport)
    session.mount("http://", transport)
    return EdgarClient(session, attempts=1, max_wait_seconds=0.01)


def variants(valid: str) -> list[str]:
    middle = len(valid) // 2
    out = []
    for fragment in FRAGMENTS:
        out += [fragment + valid, valid + fragment, valid[:middle] + fragment + valid[middle:]]
    return out


# --- SEC identifiers: checked before any URL is built or any request sent ----------------------------------


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:32])
def test_hostile_identifiers_never_reach_a_url_or_a_request(value: str, client: EdgarClient, transport):
    if value.strip() == CIK:
        # A CIK is trimmed, then must be ten ASCII digits: "0000827876\n" is that CIK (whitespace around a
        # number injects nothing, and the trimmed value is what reaches the URL).
        assert normalize_cik(value) == CIK
        assert submissions_url(value) == f"https://data.sec.gov/submissions/CIK{CIK}.json"
    else:
        for build in (normalize_cik, submissions_url, company_facts_url, client.submissions, client.company_facts):
            with pytest.raises(SecDataError, match="invalid CIK"):
                build(value)
        with pytest.raises(SecDataError, match="invalid CIK"):
            document_url(value, ACCESSION, DOCUMENT)
    for build in (check_accession, lambda v: document_url(CIK, v, DOCUMENT)):
        with pytest.raises(SecDataError, match="invalid accession number"):
            build(value)
    for build in (check_document, lambda v: document_url(CIK, ACCESSION, v)):
        with pytest.raises(SecDataError, match="invalid document name"):
            build(value)
    with pytest.raises(SecDataError, match="invalid accession number"):
        client.document(CIK, value, DOCUMENT)
    with pytest.raises(SecDataError, match="invalid document name"):
        client.document(CIK, ACCESSION, value)
    with pytest.raises(SecDataError, match="invalid document name"):
        client.submissions_page(CIK, value)  # page names come from the (remote) submissions JSON
    with pytest.raises(SecDataError):
        EdgarSource("live", client, is_synthetic=False).document(Company("CLSK", CIK), value, value)
    assert transport.sent == []


@pytest.mark.parametrize("value", NOT_A_CIK)
def test_number_like_values_are_no_cik_and_no_accession(value: str, client: EdgarClient, transport):
    if value == "0":
        assert normalize_cik(value) == "0000000000"  # ten digits: harmless, and EDGAR answers 404
    else:
        with pytest.raises(SecDataError, match="invalid CIK"):
            client.submissions(value)
    with pytest.raises(SecDataError, match="invalid accession number"):
        client.document(CIK, value, DOCUMENT)
    assert transport.sent == []


def test_valid_identifiers_with_hostile_fragments_are_rejected_or_canonical(client: EdgarClient, transport):
    """Property-style: every fragment before, after and inside a valid CIK, accession and document name."""
    for value in variants(CIK):
        try:
            cik = normalize_cik(value)
        except SecDataError:
            continue
        assert CIK_PATTERN.match(cik) and cik == CIK and value.strip() == CIK, repr(value)  # only trimmed
    for value in variants(ACCESSION):
        with pytest.raises(SecDataError):
            check_accession(value)
    for value in variants(DOCUMENT):
        with pytest.raises(SecDataError):
            check_document(value)
        with pytest.raises(SecDataError):
            client.document(CIK, ACCESSION, value)
    assert transport.sent == []
    assert document_url(f" {CIK}\n", ACCESSION, DOCUMENT) == (
        "https://www.sec.gov/Archives/edgar/data/827876/000082787624000123/clsk-20240331.htm"
    )


# --- tickers: never a path outside the configured folder ---------------------------------------------------

TRAP = "not,a,price,file\n"
PATH_LIKE_TICKERS = ["../x", "../SECRET", "/etc/passwd", "..", "sub/MARA", "MARA/../../x", "..%2Fx", "*", "?ARA", ""]


def test_the_seed_tickers_are_plain_symbols():
    universe = load_universe()
    assert universe.tickers and all(check_ticker(t, "seed") == t for t in universe.tickers)


@pytest.mark.parametrize("ticker", [*PATH_LIKE_TICKERS, "MARA\n", "MA RA", "MARA;", "-MARA", "X" * 21])
def test_a_path_like_ticker_in_the_seed_is_rejected(tmp_path: Path, ticker: str):
    for name in ("miners", "factors"):
        (tmp_path / f"{name}.csv").write_text((SEEDS_DIR / f"{name}.csv").read_text())
    seed = tmp_path / "miners.csv"
    row = f'"{ticker}",Injected Inc.,0000000001,true,Nasdaq,Dec-31,12,10-K,self_mining,,,\n'
    seed.write_text(seed.read_text().rstrip("\n") + "\n" + row)
    with pytest.raises(ValueError, match=r"seed miners: invalid ticker"):
        load_universe(tmp_path)


def test_the_csv_source_reads_only_ticker_files_inside_its_folder(tmp_path: Path):
    folder = tmp_path / "prices"
    (folder / "sub").mkdir(parents=True)
    (folder / "MARA.csv").write_text("Date,Close\n2024-01-02,20.5\n2024-01-03,21\n")
    for outside in (tmp_path / "x.csv", tmp_path / "SECRET.csv", folder / "sub" / "MARA.csv"):
        outside.write_text(TRAP)  # reading any of these would make its ticker missing for a bad file
    tickers = ["MARA", *PATH_LIKE_TICKERS]

    batch = CsvSource(folder).fetch(tickers, date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")

    assert set(batch.rows["ticker"]) == {"MARA"}
    assert set(batch.missing) == set(PATH_LIKE_TICKERS)
    assert all(reason.startswith(f"no file {ticker}.csv in ") for ticker, reason in batch.missing.items())
    assert [p.name for p in batch.payloads] == ["MARA.csv"]
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["MARA.csv"]


def test_reading_a_trap_file_would_show_as_a_bad_file(tmp_path: Path):
    (tmp_path / "MARA.csv").write_text(TRAP)
    batch = CsvSource(tmp_path).fetch(["MARA"], date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")
    assert re.match(r"MARA: no 'Date' column in .*MARA\.csv", batch.missing["MARA"])


def test_the_snapshot_replay_never_serves_a_file_outside_its_folder(tmp_path: Path):
    charts = tmp_path / "charts"
    charts.mkdir()
    (tmp_path / "MARA.json.gz").write_bytes((SNAPSHOT_DIR / "yahoo_chart" / "MARA.json.gz").read_bytes())
    (charts / "MARA.json.gz").write_bytes((SNAPSHOT_DIR / "yahoo_chart" / "MARA.json.gz").read_bytes())
    adapter = YahooReplayAdapter(charts)

    def status(symbol: str) -> int:
        url = f"https://query2.finance.yahoo.com/v8/finance/chart/{symbol}?range=1d&interval=1d"
        return adapter.send(requests.Request("GET", url).prepare()).status_code

    assert status("MARA") == 200
    assert status("..%2FMARA") == 404  # would be tmp_path/MARA.json.gz
    assert status("charts%2FMARA") == 404


# --- SQL: values are parameters; only constant table names are interpolated -------------------------------
# Ruff's S608 (`make lint`) flags SQL built by interpolation when it reads as select, insert, update or delete;
# each reviewed place carries `# noqa: S608 - <why it is safe>`. S608 misses other statements (attach, copy,
# create ... as from, drop, pragma, `from x` queries): this check covers every statement passed to a SQL call,
# and asks the same reviewed comment of each interpolated one.

SQL_CALLS = {"execute", "executemany", "sql", "query"}
REVIEWED = re.compile(r"#\s*noqa:[^#]*\bS608\b\s*-\s*\S")


def _interpolates(node: ast.AST | None) -> bool:
    """An f-string with a placeholder, a %-formatted or .format()ted string, or a string concatenated with a
    non-literal."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(value, ast.FormattedValue) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, ast.JoinedStr) or (
            isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        sides = (node.left, node.right)
        stringy = any(
            isinstance(s, ast.JoinedStr | ast.BinOp) or (isinstance(s, ast.Constant) and isinstance(s.value, str))
            for s in sides
        )
        return stringy and any(not isinstance(s, ast.Constant) or _interpolates(s) for s in sides)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _assigned(scope: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, list[ast.expr]]:
    """Name -> the values assigned to it: in a function (nested ones included), or at module level."""
    names: dict[str, list[ast.expr]] = {}
    for node in scope.body if isinstance(scope, ast.Module) else ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)
    return names


def interpolated_sql_calls(source: str) -> list[tuple[ast.Call, set[int]]]:
    """SQL calls whose statement is interpolated, directly or through a name assigned an interpolated string (in
    the same function or at module level); with the lines of the call and of that string."""
    found = []

    def scan(node: ast.AST, names: dict[str, list[ast.expr]]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = names | _assigned(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            statement = node.args[0] if node.args else None
            values = names.get(statement.id, []) if isinstance(statement, ast.Name) else [statement]
            built = [value for value in values if _interpolates(value)]
            if built:
                spans = [node, *built]
                found.append((node, {n for s in spans for n in range(s.lineno, s.end_lineno + 1)}))
        for child in ast.iter_child_nodes(node):
            scan(child, names)

    module = ast.parse(source)
    scan(module, _assigned(module))
    return found


def test_the_check_finds_sql_calls_built_by_interpolation():
    source = (
        "def f(c, cik, t, p):\n"
        '    c.execute(f"attach {p} as build (read_only)")\n'
        "    q = 'copy x to %s' % p\n"
        "    c.execute(q)\n"
        "    c.sql('from ' + t)\n"
        "    c.execute('select {}'.format(cik))\n"
        "    c.execute('select * from x where cik = ?', [cik])\n"
        "    c.execute(f'drop table {t}')  # noqa: S608 - found all the same, and reviewed\n"
    )
    assert [(call.lineno, sorted(lines)) for call, lines in interpolated_sql_calls(source)] == [
        (2, [2]),
        (4, [3, 4]),
        (5, [5]),
        (6, [6]),
        (8, [8]),
    ]
    assert [REVIEWED.search(line) is not None for line in source.splitlines()[-2:]] == [False, True]


def test_sql_built_by_interpolation_is_reviewed_where_it_is_built():
    """Each interpolated statement of a SQL call in orchestration/ carries `# noqa: S608 - <why it is safe>`, and
    each such comment gives its reason and sits on an interpolated string."""
    unreviewed, unexplained = [], []
    for path in sorted((PROJECT_ROOT / "orchestration").rglob("*.py")):
        where, source = path.relative_to(PROJECT_ROOT).as_posix(), path.read_text()
        lines = source.splitlines()
        for call, spanned in interpolated_sql_calls(source):
            if not any(REVIEWED.search(lines[n - 1]) for n in spanned):
                unreviewed.append(f"{where}:{call.lineno}: {' '.join(lines[call.lineno - 1].split())}")
        interpolated = {
            n
            for node in ast.walk(ast.parse(source))
            if _interpolates(node)
            for n in range(node.lineno, node.end_lineno + 1)
        }
        for number, line in enumerate(lines, start=1):
            if re.search(r"noqa:[^#]*\bS608\b", line) and not (REVIEWED.search(line) and number in interpolated):
                unexplained.append(f"{where}:{number}: {line.strip()}")
    assert not unreviewed, "SQL built by interpolation; pass values as parameters:\n" + "\n".join(unreviewed)
    assert not unexplained, "S608 exemptions without a reason or an interpolated string:\n" + "\n".join(unexplained)


HOSTILE_SQL = [
    "1; drop table raw.sec_filings",
    "' or 1=1 --",
    "x'); delete from raw.sec_load_errors; --",
    '"; drop schema raw cascade; --',
    "../../etc/passwd",
    "\u0661\u0662\u0663",
]


def _filing(cik: str, accession: str) -> dict:
    return {
        "cik": cik,
        "ticker": "CLSK",
        "accession_number": accession,
        "form": "10-Q",
        "primary_document": "doc.htm",
        "source": "live",
        "is_synthetic": False,
        "loaded_at": datetime(2024, 5, 1),
        "run_id": "run",
    }


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def test_hostile_strings_are_stored_verbatim_and_the_tables_survive(connection: duckdb.DuckDBPyConnection):
    warehouse_io.ensure_tables(connection)
    warehouse_io.add_filings(connection, CIK, pd.DataFrame([_filing(CIK, ACCESSION)]))
    tables = connection.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone()

    for value in HOSTILE_SQL:
        warehouse_io.record_error(connection, "raw_sec_filings", value, value, value, f"error {value}", "live", value)
        assert warehouse_io.add_filings(connection, value, pd.DataFrame([_filing(value, value)])) == 1
        assert warehouse_io.add_filings(connection, value, pd.DataFrame([_filing(value, value)])) == 0  # known
        assert warehouse_io.known_accessions(connection, "raw.sec_filings", value) == {value}
        warehouse_io.drop_other_sources(connection, value, "live")  # deletes nothing of anyone else's

    errors = connection.execute("select cik, accession_number, document, error, run_id from raw.sec_load_errors")
    assert sorted(errors.fetchall()) == sorted((v, v, v, f"error {v}", v) for v in HOSTILE_SQL)
    filings = connection.execute("select cik, accession_number from raw.sec_filings").fetchall()
    assert sorted(filings) == sorted([(CIK, ACCESSION), *((v, v) for v in HOSTILE_SQL)])
    assert (
        connection.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone()
        == tables
    )
    with pytest.raises(ValueError, match="not an accession-keyed table"):
        warehouse_io.known_accessions(connection, "raw.sec_filings; drop table raw.sec_filings", CIK)


def test_market_price_replacement_binds_its_tickers(connection: duckdb.DuckDBPyConnection):
    row = {
        "ticker": "MARA",
        "date": date(2024, 1, 2),
        **dict.fromkeys(["open", "high", "low", "close", "adj_close"], 20.0),
        "volume": 1,
        "source": "csv",
        "is_synthetic": False,
        "loaded_at": datetime(2024, 1, 3),
        "run_id": "run",
        "payload_path": None,
    }
    replace_market_prices(connection, pd.DataFrame([row]), date(2024, 1, 1), date(2024, 1, 31), ["MARA"])
    empty = pd.DataFrame([row]).iloc[:0]
    replace_market_prices(connection, empty, date(2024, 1, 1), date(2024, 1, 31), HOSTILE_SQL)
    assert connection.execute("select ticker from raw.market_prices").fetchall() == [("MARA",)]


# --- web servers bind to loopback --------------------------------------------------------------------------


def make_recipes() -> dict[str, list[str]]:
    """Makefile target -> its recipe lines (tab-indented lines after `target:`)."""
    recipes: dict[str, list[str]] = {}
    current = None
    for line in (PROJECT_ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and current:
            recipes[current].append(line.strip())
            continue
        match = re.match(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", line)
        current = match.group(1) if match else None
        if current:
            recipes[current] = []
    return recipes


def server_hosts(command: str) -> list[str | None]:
    """For each web server the command starts, the host it binds (None: not given)."""
    hosts = []
    for part in command.split("&&"):
        if not any(server in part for server in ("dagster dev", "dagster-webserver", "docs serve")):
            continue
        words = shlex.split(part)
        if any(server in " ".join(words) for server in ("dagster dev", "dagster-webserver", "docs serve")):
            flags = [i for i, w in enumerate(words) if w in ("-h", "--host")]
            hosts.append(words[flags[-1] + 1] if flags else None)
    return hosts


def test_make_dev_and_dbt_docs_bind_loopback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    recipes = make_recipes()
    assert any("miners dev" in line for line in recipes["dev"])  # which starts dagster dev, below
    started = []
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setattr(cli.os, "chdir", lambda path: None)
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: started.append(argv))
    cli.dev(3000)
    assert [server_hosts(shlex.join(argv)) for argv in started] == [["127.0.0.1"]]
    docs = [server_hosts(line) for line in recipes["dbt-docs"]]
    assert [hosts for hosts in docs if hosts] == [["127.0.0.1"]]
    assert "0.0.0.0" not in (PROJECT_ROOT / "Makefile").read_text()  # noqa: S104 - checks nothing binds it


def test_readme_commands_bind_loopback():
    readme = (PROJECT_ROOT / "README.md").read_text()
    fenced = re.findall(r"^```[a-z]*\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL)
    lines = [line for block in fenced for line in block.splitlines()]
    spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", readme)
    commands = [text for text in spans + lines if server_hosts(text)]
    assert any("dagster dev" in c for c in commands)
    for command in commands:
        if command.strip() == "dagster dev":  # a mention, not a command line
            continue
        assert server_hosts(command) == ["127.0.0.1"] * len(server_hosts(command)), command
    assert "<http://127.0.0.1:3000>" in readme
    assert re.search(r"make dbt-docs\s+#.*127\.0\.0\.1:8080", readme)
    assert "0.0.0.0" not in readme  # noqa: S104 - checks nothing binds it


# --- SEC_USER_AGENT is never logged ------------------------------------------------------------------------

SECRET_USER_AGENT = "Secret Corp secret-token@example.com"  # noqa: S105 - a made-up secret to trace
SECRET_MARKERS = ("secret-token", "Secret Corp")
COMPANIES = [Company("CLSK", CIK), Company("MARA", "0001507605")]
ATTEMPTS = 2


@pytest.fixture
def edgar_failing_on_loopback(monkeypatch: pytest.MonkeyPatch, loopback: LoopbackServer) -> LoopbackServer:
    """The live SEC source, unchanged but for its transport (the loopback server, 503 to everything), two
    attempts per request and two companies, so the run fails fast."""

    def forwarded_live_session(user_agent: str | None, cache_dir: Path) -> requests.Session:
        session = live_session(user_agent, cache_dir)
        session.mount("https://", ForwardToLoopback(loopback))
        return session

    monkeypatch.setattr(sec_source, "live_session", forwarded_live_session)
    monkeypatch.setattr(
        sec_source, "EdgarClient", functools.partial(EdgarClient, attempts=ATTEMPTS, max_wait_seconds=0.01)
    )
    monkeypatch.setattr(sec_assets, "universe_companies", lambda: list(COMPANIES))
    loopback.fallback = lambda seen: Answer(503, b"Service Unavailable", headers={"Content-Type": "text/plain"})
    return loopback


def run_raw_sec_filings(tmp_path: Path, user_agent) -> tuple[dg.ExecuteInProcessResult, dg.DagsterInstance]:
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [sec_assets.raw_sec_filings],
        resources={
            "warehouse": WarehouseResource(data_dir=str(tmp_path / "warehouse")),
            "sec": SecSourceResource(source="live", user_agent=user_agent),
        },
        instance=instance,
        raise_on_error=False,
    )
    return result, instance


def leaks(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {marker!r}" for where, text in texts.items() for marker in SECRET_MARKERS if marker in text]


def everything_recorded(
    result: dg.ExecuteInProcessResult,
    instance: dg.DagsterInstance,
    tmp_path: Path,
    capfd: pytest.CaptureFixture,
    caplog: pytest.LogCaptureFixture,
) -> dict[str, str]:
    """Every place a run's text ends up: event log (messages, metadata, errors), logs, output, tables, files."""
    texts = {f"event {i}": dg.serialize_value(entry) for i, entry in enumerate(instance.all_logs(result.run_id))}
    captured = capfd.readouterr()
    texts |= {"stdout": captured.out, "stderr": captured.err, "python logging": caplog.text}
    database = tmp_path / "warehouse" / "warehouse.duckdb"
    if database.exists():
        with duckdb.connect(str(database), read_only=True) as connection:
            texts["raw.sec_load_errors"] = str(connection.execute("select * from raw.sec_load_errors").fetchall())
    raw = tmp_path / "warehouse" / "raw"
    for path in raw.rglob("*") if raw.exists() else []:
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return texts


def test_the_user_agent_is_sent_but_never_logged(
    edgar_failing_on_loopback: LoopbackServer, tmp_path: Path, capfd, caplog
):
    caplog.set_level(logging.DEBUG)
    result, instance = run_raw_sec_filings(tmp_path, SECRET_USER_AGENT)

    assert not result.success
    server = edgar_failing_on_loopback
    assert len(server.seen) == len(COMPANIES) * ATTEMPTS
    assert {seen.headers.get("User-Agent") for seen in server.seen} == {SECRET_USER_AGENT}  # really used
    texts = everything_recorded(result, instance, tmp_path, capfd, caplog)
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    texts["step failure"] = failure
    # the errors themselves are reported, with their URL
    assert "failed after 2 attempts: HTTP 503" in failure
    assert "https://data.sec.gov/submissions/CIK0000827876.json" in texts["raw.sec_load_errors"]
    assert not leaks(texts), leaks(texts)


def test_the_user_agent_read_from_the_environment_is_not_logged_or_stored(
    edgar_failing_on_loopback: LoopbackServer, tmp_path: Path, capfd, caplog, monkeypatch: pytest.MonkeyPatch
):
    """As the definitions configure it (dg.EnvVar): not in the event log, nor in the stored run and job."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("SEC_USER_AGENT", SECRET_USER_AGENT)
    result, instance = run_raw_sec_filings(tmp_path, dg.EnvVar("SEC_USER_AGENT"))

    assert not result.success
    assert {s.headers.get("User-Agent") for s in edgar_failing_on_loopback.seen} == {SECRET_USER_AGENT}
    texts = everything_recorded(result, instance, tmp_path, capfd, caplog)
    run = instance.get_run_by_id(result.run_id)
    texts["run"] = dg.serialize_value(run)
    texts["job snapshot"] = dg.serialize_value(instance.get_job_snapshot(run.job_snapshot_id))
    assert not leaks(texts), leaks(texts)


def test_a_malformed_user_agent_is_not_echoed(tmp_path: Path, capfd, caplog):
    """A value without a contact email is refused before any request, and the refusal does not repeat it."""
    caplog.set_level(logging.DEBUG)
    result, instance = run_raw_sec_filings(tmp_path, "Secret Corp secret-token")

    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "SEC_USER_AGENT must be set" in failure
    texts = everything_recorded(result, instance, tmp_path, capfd, caplog) | {"step failure": failure}
    assert not leaks(texts), leaks(texts)


def test_the_definitions_take_the_user_agent_from_the_environment():
    from orchestration.definitions import defs

    resource = defs.resources["sec"]
    assert isinstance(resource, SecSourceResource)
    assert resource.user_agent == dg.EnvVar("SEC_USER_AGENT")
