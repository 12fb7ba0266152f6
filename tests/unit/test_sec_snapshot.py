"""The bundled SEC snapshot is what the seeded generator writes, shaped like EDGAR, labelled synthetic, and its
documents say what the planted truth says."""

import gzip
import hashlib
import json
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from orchestration.paths import SEEDS_DIR, SNAPSHOT_DIR
from orchestration.sources.sec.classification import classify_facts, classify_members
from orchestration.universe import load_seed
from tools.snapshot.sec import AS_OF, write_sec_snapshot

SEC_DIR = SNAPSHOT_DIR / "sec"
ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
PERIODIC = {"10-Q", "10-Q/A", "10-K", "10-KT", "20-F", "40-F"}
FORMS = PERIODIC | {"8-K", "6-K", "DEF 14A", "S-8"}
CATEGORIES = ("self_mining", "hosting", "hpc_ai", "other", "unclassified")
# Days from the period end to the filing date.
LAGS = {"10-Q": (30, 50), "10-K": (55, 80), "10-KT": (60, 90), "20-F": (90, 125), "40-F": (75, 95)}
# The breakdown axes in the pipeline's order of preference (a filing's breakdown is the axis with the most facts).
BREAKDOWN_AXES = (
    "srt:ProductOrServiceAxis",
    "ifrs-full:ProductsAndServicesAxis",
    "us-gaap:StatementBusinessSegmentsAxis",
    "ifrs-full:SegmentsAxis",
)
# sha256 of the planted revenue rows (json, sorted keys, compact): the quirks added on top of the model must not
# move a planted value. Change it only when the revenue model or its inputs (the ai_hpc_contracts seed) change.
REVENUE_TRUTH_SHA256 = "2e2cf2b68b7010352a490de4b76990f14429d827b13831e9663fc2e6981acc58"
SEGMENT_AXIS = "us-gaap:StatementBusinessSegmentsAxis"
CONSOLIDATION_AXIS = "srt:ConsolidationItemsAxis"
AGGREGATE = "us-gaap:ReportableSegmentAggregationBeforeOtherOperatingSegmentMember"
NEW_QUIRKS = {
    "revenue_on_product_and_segment_axes",
    "aggregate_segment_member",
    "segment_consolidation_items",
    "concentration_risk_member",
    "revenue_named_count",
    "revenue_named_percentage",
    "revenue_named_balance",
    "revenue_named_run_rate",
    "remaining_performance_obligation",
    "subsequent_event_revenue",
    "restatement_axis",
}


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


def filing_row(ticker: str, accession: str) -> dict:
    return next(row for row in filings(ticker) if row["accessionNumber"] == accession)


@cache
def parsed_filing(ticker: str, accession: str):
    """The reader's view of one filing (orchestration.sources.sec.xbrl.parse_filing)."""
    from orchestration.sources.sec.xbrl import parse_filing

    row = filing_row(ticker, accession)
    content = gzip.decompress(document(ticker, row).read_bytes())
    return parse_filing(content, row["primaryDocument"], cik=truth()["filers"][ticker]["cik"], accession=accession)


def reader_keeps_every_revenue_named_fact() -> bool:
    """Version 2 of the reader keeps every numeric fact named after revenue (instants, counts, other units)."""
    from orchestration.sources.sec import xbrl

    return getattr(xbrl, "READER_VERSION", 1) >= 2


def quirk(name: str) -> dict:
    return next(q for q in truth()["quirks"] if q["quirk"] == name)


def excluded(name: str) -> list[dict]:
    return [e for e in truth()["excluded_facts"] if e["quirk"] == name]


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
    members = {m: c for filer in truth()["filers"].values() for m, c in filer["members"].items()}
    assert len({m.rpartition(":")[2] for m in members}) == 18  # the whole member catalogue is used
    assert classify_members(members) == members


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
        *NEW_QUIRKS,
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
                            # (balances such as cash and debt are instants: no start)
                            assert entry["end"] <= filing["reportDate"] and entry.get("start", "") < entry["end"]
        assert all(len(fy_fp) == 1 for fy_fp in labels.values()), ticker
        assert set(labels) == set(periodic), ticker


def test_ten_q_three_month_facts_match_the_planted_truth():
    xbrl = pytest.importorskip("orchestration.sources.sec.xbrl")
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
            durations = [f for f in parsed.facts if f.period_start is not None]
            current = [f for f in durations if f.period_end == end and 85 <= (end - f.period_start).days <= 95]
            totals = {f.value for f in current if not f.dimensions and f.concept in filer["total_concepts"]}
            start = next(f.period_start for f in current)
            expected = superseded.get(row["accessionNumber"]) or rows[(ticker, start.isoformat(), row["reportDate"])]
            assert totals == {expected["total"]}, (ticker, row["accessionNumber"])
            # the breakdown: the member concept's facts on the one breakdown axis with the most of them in the
            # filing (ties: the preferred axis), as the pipeline reads it; members the seed excludes never count
            category = {f: c.revenue_category for f, c in zip(parsed.facts, classify_facts(parsed.facts), strict=True)}
            members = [f for f in durations if f.concept == filer["member_concept"] and category[f]]
            counts = Counter(f.axis for f in members)
            axis = min(counts, key=lambda a: (-counts[a], BREAKDOWN_AXES.index(a))) if counts else None
            split = dict.fromkeys(CATEGORIES, 0)
            breakdown = [f for f in members if f in current and f.axis == axis]
            for fact in breakdown:
                split[category[fact]] += fact.value or 0
            if not breakdown:
                split[filer["default_revenue_category"]] = expected["total"]
            assert split == {c: expected[c] for c in CATEGORIES}, (ticker, row["accessionNumber"])
            checked += 1
    assert checked > 100


# -- the real corpus's shapes: several axes, nested members, eliminations, facts named revenue that are not -----


def test_planted_revenue_truth_is_unchanged_by_the_added_shapes():
    rows = json.dumps(truth()["revenue"], sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(rows).hexdigest() == REVENUE_TRUTH_SHA256


def test_new_quirks_name_their_filings_and_excluded_facts():
    t = truth()
    assert {q["quirk"] for q in t["quirks"]} >= NEW_QUIRKS
    expected_reasons = {
        "aggregate_segment_member": "member_not_counted",
        "segment_consolidation_items": "consolidation_item",
        "revenue_named_count": "count_or_percentage",
        "revenue_named_percentage": "count_or_percentage",
        "revenue_named_balance": "deferred_revenue_item",
        "revenue_named_run_rate": "run_rate",
        "remaining_performance_obligation": "remaining_performance_obligation",
        "subsequent_event_revenue": "subsequent_event",
        "restatement_axis": "restatement_or_adjustment",
        "revenue_on_business_acquisition_axis": "acquisition_pro_forma",
        "revenue_on_consolidation_items_axis": "consolidation_item",
        "revenue_on_crypto_asset_axis": "other_axis",
        "two_dimension_revenue_fact": "other_axis",
    }
    by_quirk: dict[str, list[dict]] = {}
    for fact in t["excluded_facts"]:
        by_quirk.setdefault(fact["quirk"], []).append(fact)
        entry = next(q for q in t["quirks"] if q["quirk"] == fact["quirk"] and q["ticker"] == fact["ticker"])
        assert fact["accession"] in entry["accessions"], fact
        assert fact["form"] == filing_row(fact["ticker"], fact["accession"])["form"]
        assert "Revenue" in fact["concept"] and fact["exclusion_reason"] not in fact["also"], fact
    assert set(by_quirk) == (NEW_QUIRKS - {"revenue_on_product_and_segment_axes"}) | {
        "revenue_on_business_acquisition_axis",
        "revenue_on_consolidation_items_axis",
        "revenue_on_crypto_asset_axis",
        "two_dimension_revenue_fact",
    }
    for name, reason in expected_reasons.items():
        assert {f["exclusion_reason"] for f in by_quirk[name]} == {reason}, name
    assert {f["exclusion_reason"] for f in by_quirk["concentration_risk_member"]} == {
        "member_not_counted",
        "concentration_risk",
    }
    # every quirk is planted in a few filings of one company, each of them listed
    for name in NEW_QUIRKS:
        entries = [q for q in t["quirks"] if q["quirk"] == name]
        assert len(entries) == 1 and 1 <= len(entries[0]["accessions"]) <= 8, name


def _contexts(root) -> dict[str, tuple]:
    """Context id -> (start or None, end, {axis: member}), straight from the document."""
    xbrli, xbrldi = "{http://www.xbrl.org/2003/instance}", "{http://xbrl.org/2006/xbrldi}"
    out = {}
    for context in root.iter(f"{xbrli}context"):
        period = context.find(f"{xbrli}period")
        instant = period.find(f"{xbrli}instant")
        start = None if instant is not None else period.find(f"{xbrli}startDate").text
        end = instant.text if instant is not None else period.find(f"{xbrli}endDate").text
        dims = {m.get("dimension"): m.text for m in context.iter(f"{xbrldi}explicitMember")}
        out[context.get("id")] = (start, end, dims)
    return out


def test_excluded_facts_are_in_the_documents_as_planted():
    """Each planted not-counted fact is in its document (read with lxml, whatever the revenue reader keeps)."""
    ix = "{http://www.xbrl.org/2013/inlineXBRL}"
    xbrli = "{http://www.xbrl.org/2003/instance}"
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    by_accession: dict[tuple[str, str], list[dict]] = {}
    for fact in truth()["excluded_facts"]:
        by_accession.setdefault((fact["ticker"], fact["accession"]), []).append(fact)
    for (ticker, accession), planted in by_accession.items():
        root = etree.fromstring(gzip.decompress(document(ticker, filing_row(ticker, accession)).read_bytes()), parser)
        contexts = _contexts(root)
        units = {u.get("id"): u.find(f"{xbrli}measure").text.rpartition(":")[2] for u in root.iter(f"{xbrli}unit")}
        found = {}
        for el in root.iter(f"{ix}nonFraction"):
            start, end, dims = contexts[el.get("contextRef")]
            key = (el.get("name"), start, end, tuple(sorted(dims.items())))
            found[key] = el
        for fact in planted:
            key = (fact["concept"], fact["period_start"], fact["period_end"], tuple(sorted(fact["dimensions"].items())))
            el = found.get(key)
            assert el is not None, fact
            assert units[el.get("unitRef")] == fact["unit"], fact
            text = "".join(el.itertext()).strip()
            if el.get("format", "").endswith("numwordsen"):
                value = Decimal({"one": 1, "two": 2, "three": 3}[text])
            elif el.get("format", "").endswith("fixed-zero"):
                value = Decimal(0)
            else:
                value = Decimal(text.replace(",", "")).scaleb(int(el.get("scale")))
            value *= -1 if el.get("sign") == "-" else 1
            assert value == Decimal(str(fact["value"])), fact


def test_segment_axis_beside_the_product_axis():
    entry = quirk("revenue_on_product_and_segment_axes")
    assert entry["ticker"] == "RIOT" and entry["breakdown_axis"] == "srt:ProductOrServiceAxis"
    assert quirk("aggregate_segment_member")["accessions"] == entry["accessions"]
    assert set(entry["accessions"]) == set(quirk("segment_consolidation_items")["accessions"])
    for accession in entry["accessions"]:
        row = filing_row("RIOT", accession)
        assert row["form"] in ("10-Q", "10-Q/A") and row["reportDate"] >= "2024-01-01"
        facts = [f for f in parsed_filing("RIOT", accession).facts if f.concept == "us-gaap:Revenues"]
        single = Counter(f.axis for f in facts if len(f.dimensions) == 1)
        # the product axis carries more facts than the segment axis (the pipeline picks the axis with the most)
        assert single["srt:ProductOrServiceAxis"] > single[SEGMENT_AXIS] >= 6, (accession, single)
        by_key = {(f.period_start, f.period_end, f.dimensions): f.value for f in facts}
        periods = {(f.period_start, f.period_end) for f in facts if f.axis == SEGMENT_AXIS}
        assert len(periods) == 2 and all(85 <= (e - s).days <= 95 for s, e in periods)
        for start, end in periods:

            def value(*dims, start=start, end=end, by_key=by_key):
                return by_key[(start, end, tuple(sorted(dims)))]

            total = by_key[(start, end, ())]
            mining = value(("srt:ProductOrServiceAxis", "riot:BitcoinMiningMember"))
            engineering = value(("srt:ProductOrServiceAxis", "riot:EngineeringMember"))
            assert value((SEGMENT_AXIS, "riot:BitcoinMiningSegmentMember")) == mining
            assert value((SEGMENT_AXIS, "riot:EngineeringSegmentMember")) == engineering
            aggregate = value((SEGMENT_AXIS, AGGREGATE))
            assert aggregate == mining + engineering  # the nested total of the reportable segments
            elimination = value((CONSOLIDATION_AXIS, "us-gaap:IntersegmentEliminationMember"))
            corporate = value((CONSOLIDATION_AXIS, "us-gaap:CorporateNonSegmentMember"))
            assert elimination < 0 and aggregate + corporate == total
            gross = value(
                (SEGMENT_AXIS, "riot:EngineeringSegmentMember"), (CONSOLIDATION_AXIS, "us-gaap:OperatingSegmentsMember")
            )
            eliminated = value(
                (SEGMENT_AXIS, "riot:EngineeringSegmentMember"),
                (CONSOLIDATION_AXIS, "us-gaap:IntersegmentEliminationMember"),
            )
            assert eliminated == elimination and gross + eliminated == engineering
            mining_gross = value(
                (SEGMENT_AXIS, "riot:BitcoinMiningSegmentMember"),
                (CONSOLIDATION_AXIS, "us-gaap:OperatingSegmentsMember"),
            )
            assert mining_gross + gross + elimination + corporate == total
    # the elimination is shown in parentheses with sign="-"
    content = gzip.decompress(document("RIOT", filing_row("RIOT", entry["accession"])).read_bytes()).decode()
    assert re.search(r'\(<ix:nonFraction name="us-gaap:Revenues"[^>]*sign="-"', content)


def test_concentration_member_and_customer_count():
    entry = quirk("concentration_risk_member")
    assert entry["ticker"] == "RIOT" and set(entry["accessions"]) == set(quirk("revenue_named_count")["accessions"])
    member = ("srt:ProductOrServiceAxis", "riot:RevenueNetEngineeringMember")
    for accession in entry["accessions"]:
        assert filing_row("RIOT", accession)["form"] == "10-K"
        facts = parsed_filing("RIOT", accession).facts
        alone = [f for f in facts if f.concept == "us-gaap:Revenues" and f.dimensions == (member,)]
        assert len(alone) == 1 and alone[0].scale == 6 and alone[0].decimals == "-5"
        engineering = next(
            f.value
            for f in facts
            if f.dimensions == (("srt:ProductOrServiceAxis", "riot:EngineeringMember"),)
            and (f.period_start, f.period_end) == (alone[0].period_start, alone[0].period_end)
        )
        assert 0 < alone[0].value < engineering  # one customer's share of a breakdown line, not a line of its own
        with_axes = [f for f in facts if member in f.dimensions and len(f.dimensions) == 3]
        assert len(with_axes) == 1
        assert {axis for axis, _ in with_axes[0].dimensions} >= {
            "us-gaap:ConcentrationRiskByBenchmarkAxis",
            "us-gaap:ConcentrationRiskByTypeAxis",
        }
    counts = excluded("revenue_named_count")
    assert {(c["unit"], c["value"], c["concept"]) for c in counts} == {
        ("customer", 1, "riot:NumberOfCustomersWhoGenerateMoreThanTenPercentOfTotalRevenue")
    }
    assert all(c["dimensions"] == dict([member]) and c["period_start"] for c in counts)


def test_facts_named_revenue_that_are_not_revenue():
    shapes = {
        "revenue_named_percentage": ("MARA", "pure", "duration"),
        "revenue_named_balance": ("BTBT", "USD", "instant"),
        "revenue_named_run_rate": ("BTBT", "USD", "duration"),
        "remaining_performance_obligation": ("APLD", "USD", "instant"),
        "subsequent_event_revenue": ("BTBT", "USD", "one_day"),
        "restatement_axis": ("RIOT", "USD", "duration"),
    }
    for name, (ticker, unit, period) in shapes.items():
        facts = excluded(name)
        assert facts and {f["ticker"] for f in facts} == {ticker} and {f["unit"] for f in facts} == {unit}, name
        for f in facts:
            if period == "instant":
                assert f["period_start"] is None, f
            elif period == "one_day":
                assert f["period_start"] == f["period_end"], f
                report = filing_row(ticker, f["accession"])
                assert report["reportDate"] < f["period_end"] < report["filingDate"]  # after the year, before filing
                assert f["dimensions"] == {"us-gaap:SubsequentEventTypeAxis": "us-gaap:SubsequentEventMember"}
            else:
                assert f["period_start"] < f["period_end"], f
    assert all(0 < f["value"] < 1 for f in excluded("revenue_named_percentage"))
    assert {f["concept"] for f in excluded("remaining_performance_obligation")} == {
        "us-gaap:RevenueRemainingPerformanceObligation"
    }
    assert all(f["dimensions"] == {} for f in excluded("remaining_performance_obligation"))
    assert all(f["dimensions"] for f in excluded("revenue_named_run_rate"))
    restated = excluded("restatement_axis")
    assert {f["accession"] for f in restated} == {quirk("amended_10q")["accession"]}
    adjustments = [f["value"] for f in restated if "RestatementAdjustment" in f["dimensions"]["srt:RestatementAxis"]]
    assert adjustments and all(v < 0 for v in adjustments)  # the original overstated revenue
    original = quirk("amended_10q")["original"]["total"]
    assert original in {f["value"] for f in restated}


def test_the_reader_keeps_every_planted_fact_named_after_revenue():
    """Needs the reader that keeps every fact named after revenue (READER_VERSION 2): instants, counts, pure."""
    if not reader_keeps_every_revenue_named_fact():
        pytest.skip("the reader still drops instants and facts that are not revenue concepts")
    for fact in truth()["excluded_facts"]:
        read = {
            (f.concept, f.period_start, f.period_end, f.dimensions): f
            for f in parsed_filing(fact["ticker"], fact["accession"]).facts
        }
        key = (
            fact["concept"],
            date.fromisoformat(fact["period_start"]) if fact["period_start"] else None,
            date.fromisoformat(fact["period_end"]),
            tuple(sorted(fact["dimensions"].items())),
        )
        assert key in read, fact
        assert read[key].unit == fact["unit"] and read[key].value == Decimal(str(fact["value"])), fact
