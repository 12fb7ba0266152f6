"""The bundled SEC snapshot is what the seeded generator writes, shaped like EDGAR, labelled synthetic, and its
documents say what the planted truth says."""

import gzip
import json
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from orchestration.paths import SEEDS_DIR, SNAPSHOT_DIR
from orchestration.snapshot.sec_generator import AS_OF, write_sec_snapshot
from orchestration.universe import load_seed

SEC_DIR = SNAPSHOT_DIR / "sec"
ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
PERIODIC = {"10-Q", "10-Q/A", "10-K", "10-KT", "20-F", "40-F"}
FORMS = PERIODIC | {"8-K", "6-K", "DEF 14A", "S-8"}
CATEGORIES = ("self_mining", "hosting", "hpc_ai", "other", "unclassified")
# Days from the period end to the filing date.
LAGS = {"10-Q": (30, 50), "10-K": (55, 80), "10-KT": (60, 90), "20-F": (90, 125), "40-F": (75, 95)}


def _json(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


@cache
def truth() -> dict:
    return json.loads((SEC_DIR / "planted_truth.json").read_text())


@cache
def submissions() -> dict[str, dict]:
    """Ticker -> submissions body."""
    by_cik = {v["cik"]: t for t, v in truth()["filers"].items()}
    return {by_cik[p.name[3:13]]: _json(p) for p in sorted((SEC_DIR / "submissions").glob("CIK*.json.gz"))}


def filings(ticker: str) -> list[dict]:
    recent = submissions()[ticker]["filings"]["recent"]
    return [{key: values[i] for key, values in recent.items()} for i in range(len(recent["accessionNumber"]))]


def document(ticker: str, filing: dict) -> Path:
    cik = submissions()[ticker]["cik"]
    return SEC_DIR / "archives" / cik / filing["accessionNumber"].replace("-", "") / f"{filing['primaryDocument']}.gz"


def test_committed_snapshot_matches_generator(tmp_path: Path):
    write_sec_snapshot(out_dir=tmp_path)
    committed = sorted(str(p.relative_to(SEC_DIR)) for p in SEC_DIR.rglob("*") if p.is_file())
    generated = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert committed == generated
    for name in committed:
        assert (tmp_path / name).read_bytes() == (SEC_DIR / name).read_bytes(), name


def test_snapshot_covers_the_universe_and_is_small():
    miners = load_seed("miners", SEEDS_DIR)
    assert set(submissions()) == {row["ticker"] for row in miners}
    assert {p.name for p in (SEC_DIR / "companyfacts").glob("*.json.gz")} == {
        f"CIK{row['cik']}.json.gz" for row in miners
    }
    size = sum(p.stat().st_size for p in SEC_DIR.rglob("*") if p.is_file())
    assert size < 2.5 * 1024 * 1024


def test_submissions_are_shaped_like_edgar():
    accessions: set[str] = set()
    for ticker, body in submissions().items():
        cik = truth()["filers"][ticker]["cik"]
        assert body["cik"] == str(int(cik)) and body["tickers"] == [ticker]
        recent = body["filings"]["recent"]
        lengths = {key: len(values) for key, values in recent.items()}
        assert len(set(lengths.values())) == 1, (ticker, lengths)
        rows = filings(ticker)
        assert [(r["filingDate"], r["acceptanceDateTime"]) for r in rows] == sorted(
            ((r["filingDate"], r["acceptanceDateTime"]) for r in rows), reverse=True
        ), "newest first"
        for row in rows:
            accession = row["accessionNumber"]
            assert ACCESSION.match(accession) and accession.startswith(cik), accession
            assert accession not in accessions
            accessions.add(accession)
            assert int(accession[11:13]) == date.fromisoformat(row["filingDate"]).year % 100
            assert row["form"] in FORMS
            filed = date.fromisoformat(row["filingDate"])
            assert date(2022, 1, 1) <= filed <= AS_OF and filed.weekday() < 5
            assert row["acceptanceDateTime"].startswith(row["filingDate"])
            if row["reportDate"]:
                assert date.fromisoformat(row["reportDate"]) <= filed
            assert row["isXBRL"] == row["isInlineXBRL"] == (1 if row["form"] in PERIODIC else 0)
            assert (row["items"] != "") == (row["form"] == "8-K")
            assert document(ticker, row).is_file(), (ticker, accession, row["primaryDocument"])
            low_high = LAGS.get(row["form"])
            if low_high:
                lag = (filed - date.fromisoformat(row["reportDate"])).days
                assert low_high[0] <= lag <= low_high[1], (ticker, row["form"], row["reportDate"], lag)


def test_filing_patterns():
    forms = {ticker: {row["form"] for row in filings(ticker)} for ticker in submissions()}
    assert {"10-Q", "10-K", "8-K", "DEF 14A", "S-8"} <= forms["MARA"]
    assert "10-Q/A" in forms["RIOT"] and "10-KT" in forms["HUT"]
    for ticker in ("BITF", "HIVE"):
        assert forms[ticker] == {"40-F", "6-K", "S-8"}
    assert forms["BTDR"] == {"20-F", "6-K", "S-8"}
    assert {"20-F", "10-K", "10-Q", "6-K", "8-K"} <= forms["IREN"] and {"20-F", "10-K", "10-Q"} <= forms["BTBT"]
    items = {row["items"] for ticker in submissions() for row in filings(ticker) if row["form"] == "8-K"}
    assert {"2.02,9.01", "1.01,7.01,9.01", "8.01"} <= items
    first_periodic = {
        ticker: min(row["reportDate"] for row in filings(ticker) if row["form"] in PERIODIC) for ticker in submissions()
    }
    assert first_periodic["GLXY"] == "2025-06-30" and first_periodic["ABTC"] == "2025-09-30"
    assert first_periodic["CRWV"] == "2025-03-31" and first_periodic["HUT"] == "2023-12-31"
    assert min(first_periodic.values()) >= "2022-03-31"
    # earnings 8-Ks on the day of each 10-Q/10-K
    for ticker in ("MARA", "CLSK", "APLD"):
        earnings = {row["filingDate"] for row in filings(ticker) if row["items"] == "2.02,9.01"}
        assert {row["filingDate"] for row in filings(ticker) if row["form"] in ("10-Q", "10-K")} == earnings


def test_planted_truth_sums_and_covers_the_filers():
    t = truth()
    assert t["synthetic"] is True and t["as_of"] == AS_OF.isoformat()
    keys = set()
    for row in t["revenue"]:
        assert all(isinstance(row[c], int) for c in (*CATEGORIES, "total"))
        assert sum(row[c] for c in CATEGORIES) == row["total"], row
        unit = t["filers"][row["ticker"]]["unit"]
        assert all(row[c] % unit == 0 for c in (*CATEGORIES, "total")), row
        assert row["period_end"] >= "2022-01-01"
        assert (row["fiscal_quarter"] is None) == (row["period_type"] == "fiscal_year")
        keys.add((row["ticker"], row["period_start"], row["period_end"]))
    assert len(keys) == len(t["revenue"])
    annual_only = {r["ticker"] for r in t["revenue"]} - {r["ticker"] for r in t["revenue"] if r["fiscal_quarter"]}
    assert annual_only == {"BITF", "BTDR", "HIVE"}
    clsk = [r for r in t["revenue"] if r["ticker"] == "CLSK"]
    assert all(r["self_mining"] == r["total"] for r in clsk)
    assert all(r["hpc_ai"] == r["total"] for r in t["revenue"] if r["ticker"] == "CRWV")
    q2_2024 = next(r for r in clsk if r["period_end"] == "2024-03-31")
    assert (q2_2024["fiscal_year"], q2_2024["fiscal_quarter"]) == (2024, 2)
    unclassified = [r for r in t["revenue"] if r["unclassified"]]
    assert unclassified and {r["ticker"] for r in unclassified} == {"BTBT"}
    assert all(0 < r["unclassified"] < 0.005 * r["total"] for r in unclassified)
    assert any(r["other"] < 0 for r in t["revenue"] if r["ticker"] == "WULF")


def test_halving_lowers_self_mining():
    t = truth()
    rows = {(r["ticker"], r["period_end"]): r for r in t["revenue"] if r["period_type"] == "quarter"}
    checked = 0
    for ticker, model in t["model"]["companies"].items():
        drivers = {d["period_end"]: d for d in model["mining_drivers"]}
        for end, d in drivers.items():
            if end <= "2024-03-31":
                assert d["reward_factor"] == 1
            elif end >= "2024-09-30":
                assert d["reward_factor"] == pytest.approx(0.55)
        before, after = rows.get((ticker, "2024-03-31")), rows.get((ticker, "2024-09-30"))
        if not (before and after and before["self_mining"]):
            continue
        checked += 1
        assert after["self_mining"] < before["self_mining"], ticker
        per_hash = [
            rows[(ticker, end)]["self_mining"] / (drivers[end]["hashrate_index"] * drivers[end]["btc_price"])
            for end in ("2024-03-31", "2024-09-30")
        ]
        assert per_hash[1] / per_hash[0] == pytest.approx(0.55, abs=0.03), ticker
    assert checked >= 9


def test_hpc_ai_appears_only_after_the_first_contract():
    t = truth()
    first = {ticker: model["first_hpc_announced"] for ticker, model in t["model"]["companies"].items()}
    contracts = load_seed("ai_hpc_contracts", SEEDS_DIR)
    assert first["CORZ"] == min(c["announce_date"] for c in contracts if c["ticker"] == "CORZ")
    for row in t["revenue"]:
        if row["ticker"] == "CRWV":
            continue
        if first[row["ticker"]] is None or row["period_start"] <= first[row["ticker"]]:
            assert row["hpc_ai"] == 0, row
    with_hpc = {r["ticker"] for r in t["revenue"] if r["hpc_ai"] > 0}
    assert {"CORZ", "APLD", "WULF", "CIFR", "IREN", "HUT", "GLXY", "RIOT", "BTBT", "CRWV"} <= with_hpc


def test_members_map_to_the_planted_categories():
    try:
        from orchestration.sources.sec.categories import classify_member, load_member_rules

        rules = load_member_rules(SEEDS_DIR)

        def category(member: str) -> str:
            return classify_member(member, rules)
    except ImportError:  # the seed's rules, applied directly: lowest precedence first, else unclassified
        seed = sorted(load_seed("revenue_member_map", SEEDS_DIR), key=lambda r: int(r["precedence"]))

        def category(member: str) -> str:
            local = member.rpartition(":")[2]
            return next((r["category"] for r in seed if re.search(r["member_pattern"], local)), "unclassified")

    members = {m: c for filer in truth()["filers"].values() for m, c in filer["members"].items()}
    assert len({m.rpartition(":")[2] for m in members}) == 18  # the whole member catalogue is used
    for member, planted in members.items():
        assert category(member) == planted, member


def test_quirks_are_listed_with_real_accessions():
    t = truth()
    names = {q["quirk"] for q in t["quirks"]}
    assert {
        "non_december_fiscal_year",
        "ytd_facts_in_10q",
        "annual_report_without_q4",
        "revenue_on_business_acquisition_axis",
        "revenue_on_consolidation_items_axis",
        "revenue_on_crypto_asset_axis",
        "two_dimension_revenue_fact",
        "nil_facts",
        "fixed_zero_dash",
        "scale_thousands",
        "scale_millions",
        "scale_whole_dollars",
        "negative_member_sign",
        "amended_10q",
        "no_product_axis",
        "total_on_two_concepts",
        "segment_axis",
        "duplicate_total_fact",
        "nested_span",
    } <= names
    for quirk in t["quirks"]:
        known = {row["accessionNumber"] for row in filings(quirk["ticker"])}
        assert quirk["accession"] in known and set(quirk["accessions"]) <= known, quirk["quirk"]
    amended = next(q for q in t["quirks"] if q["quirk"] == "amended_10q")
    assert amended["ticker"] == "RIOT" and amended["period_end"] == "2024-06-30"
    restated = next(r for r in t["revenue"] if r["ticker"] == "RIOT" and r["period_end"] == "2024-06-30")
    assert amended["original"]["total"] != restated["total"]  # the truth is the amended (later) number
    rows = {row["accessionNumber"]: row for row in filings("RIOT")}
    original_filed = date.fromisoformat(rows[amended["amends"]]["filingDate"])
    assert original_filed + timedelta(days=45) < date.fromisoformat(rows[amended["accession"]]["filingDate"])


def test_every_document_is_xml_and_says_synthetic():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for ticker in submissions():
        for row in filings(ticker):
            content = gzip.decompress(document(ticker, row).read_bytes())
            root = etree.fromstring(content, parser)
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            visible = [p for p in body.iter("{http://www.w3.org/1999/xhtml}p") if "SYNTHETIC" in (p.text or "")]
            assert visible, (ticker, row["accessionNumber"])
            if row["form"] in PERIODIC:
                assert root.find(".//{http://www.xbrl.org/2013/inlineXBRL}header") is not None
        assert "SYNTHETIC" in submissions()[ticker]["description"]
        facts = _json(SEC_DIR / "companyfacts" / f"CIK{truth()['filers'][ticker]['cik']}.json.gz")
        for concepts in facts["facts"].values():
            for concept in concepts.values():
                assert concept["description"].startswith("SYNTHETIC")


def test_company_facts_are_totals_labelled_by_filing():
    revenue_concepts = {"Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax", "Revenue"}
    for ticker, filer in truth()["filers"].items():
        facts = _json(SEC_DIR / "companyfacts" / f"CIK{filer['cik']}.json.gz")
        assert facts["cik"] == int(filer["cik"]) and facts["entityName"] == submissions()[ticker]["name"]
        periodic = {row["accessionNumber"]: row for row in filings(ticker) if row["form"] in PERIODIC}
        assert revenue_concepts & {name for concepts in facts["facts"].values() for name in concepts}
        labels: dict[str, set] = {}
        for taxonomy, concepts in facts["facts"].items():
            for name, concept in concepts.items():
                for entries in concept["units"].values():
                    frames = [e["frame"] for e in entries if "frame" in e]
                    assert len(frames) == len(set(frames)), (ticker, name)
                    for entry in entries:
                        filing = periodic[entry["accn"]]
                        assert entry["form"] == filing["form"] and entry["filed"] == filing["filingDate"]
                        labels.setdefault(entry["accn"], set()).add((entry["fy"], entry["fp"]))
                        if taxonomy != "dei":  # comparatives end before the report date, with the filing's fy/fp
                            assert entry["end"] <= filing["reportDate"] and entry["start"] < entry["end"]
        assert all(len(fy_fp) == 1 for fy_fp in labels.values()), ticker
        assert set(labels) == set(periodic), ticker


def test_ten_q_three_month_facts_match_the_planted_truth():
    xbrl = pytest.importorskip("orchestration.sources.sec.xbrl")
    categories = pytest.importorskip("orchestration.sources.sec.categories")
    rules = categories.load_member_rules(SEEDS_DIR)
    t = truth()
    rows = {(r["ticker"], r["period_start"], r["period_end"]): r for r in t["revenue"]}
    superseded = {q["amends"]: q["original"] for q in t["quirks"] if q["quirk"] == "amended_10q"}
    checked = 0
    for ticker, filer in t["filers"].items():
        for row in filings(ticker):
            if row["form"] not in ("10-Q", "10-Q/A"):
                continue
            content = gzip.decompress(document(ticker, row).read_bytes())
            parsed = xbrl.parse_filing(
                content, row["primaryDocument"], cik=filer["cik"], accession=row["accessionNumber"]
            )
            assert parsed.cik == filer["cik"] and parsed.period_end_date.isoformat() == row["reportDate"]
            assert parsed.amendment is (row["form"] == "10-Q/A")
            end = date.fromisoformat(row["reportDate"])
            current = [f for f in parsed.facts if f.period_end == end and 85 <= (end - f.period_start).days <= 95]
            totals = {f.value for f in current if not f.dimensions and f.concept in filer["total_concepts"]}
            start = next(f.period_start for f in current)
            expected = superseded.get(row["accessionNumber"]) or rows[(ticker, start.isoformat(), row["reportDate"])]
            assert totals == {expected["total"]}, (ticker, row["accessionNumber"])
            split = dict.fromkeys(CATEGORIES, 0)
            breakdown = [f for f in current if categories.fact_category(f, rules) not in ("total", "other_axis")]
            for fact in breakdown:
                split[categories.fact_category(fact, rules)] += fact.value or 0
            if not breakdown:
                split[filer["default_revenue_category"]] = expected["total"]
            assert split == {c: expected[c] for c in CATEGORIES}, (ticker, row["accessionNumber"])
            checked += 1
    assert checked > 100
