"""The filing documents: the inline XBRL of each periodic report (statements, revenue note and the quirks
planted per filer) and the plain XHTML of the other forms."""

from __future__ import annotations

from datetime import date
from html import escape

from tools.snapshot.sec.balance_sheet import (
    CLASS_AXIS,
    SHARES,
    balance_sheet,
    balance_sheet_dates,
    has_balance_sheet,
    share_classes,
)
from tools.snapshot.sec.companies import period_values
from tools.snapshot.sec.filings import Filing
from tools.snapshot.sec.ixbrl import CONTENT_TYPE, NS, SYNTHETIC_LINE, Document, column_label, html_table, long_date
from tools.snapshot.sec.not_revenue import CORZ_ITEMS, CRYPTO_ASSET, GEOGRAPHY, PRO_FORMA, plant_not_revenue
from tools.snapshot.sec.periods import month_end
from tools.snapshot.sec.tagging import IFRS_REVENUE, PRODUCT_AXIS, REVENUES

# The one filing whose total sits in a <span> inside ix:nonFraction. Inline XBRL 1.1's schema allows only text
# or one nested ix:nonFraction there (EDGAR would reject it; Arelle reports SCHEMAV_ELEMENT_CONTENT), so it is
# planted once, as a robustness test for lenient parsers.
NESTED_SPAN = ("MARA", "10-Q", date(2024, 3, 31))

MEMBER_LABELS = {
    "DigitalAssetMiningMember": "Digital asset mining",
    "BitcoinMiningMember": "Bitcoin mining",
    "SelfMiningMember": "Self-mining",
    "MiningSegmentMember": "Mining segment",
    "HostingMember": "Hosting",
    "DataCenterHostingMember": "Data center hosting",
    "HostingServicesMember": "Hosting services",
    "HighPerformanceComputingHostingMember": "HPC hosting",
    "ColocationServicesMember": "Colocation services",
    "CloudServicesMember": "Cloud services",
    "AICloudServicesMember": "AI cloud services",
    "DataCenterLeaseMember": "Data center leases",
    "HpcSegmentMember": "HPC segment",
    "EngineeringMember": "Engineering",
    "EnergySalesMember": "Energy sales",
    "DemandResponseServicesMember": "Demand response services",
    "OtherRevenueMember": "Other revenue",
    "AncillaryServicesMember": "Ancillary services",
}


def render_periodic(filing: Filing) -> tuple[bytes, set[str], dict, list[dict]]:
    """The inline XBRL document, the quirks it carries, what it reports per column and its planted exclusions."""
    company, tag = filing.company, filing.company.tag
    doc = Document(company, filing)
    ifrs = filing.gaap == "ifrs-full"
    totals = (IFRS_REVENUE,) if ifrs else tag.total_concepts
    member_concept = totals[-1]
    axis = tag.ifrs_axis if ifrs else tag.axis
    cost_concept = "ifrs-full:CostOfSales" if ifrs else "us-gaap:CostsAndExpenses"
    income_concept = "ifrs-full:ProfitLoss" if ifrs else "us-gaap:NetIncomeLoss"
    prefix, columns = company.prefix, filing.columns
    values = {p: period_values(company, p, filing.superseded) for p in columns}
    reported = {p: {"members": v, "total": sum(v.values())} for p, v in values.items()}
    costs = {p: sum(company.costs[i] for i in company.span(p)) for p in columns}
    members = [m for m in company.series if m and any(values[p][m] for p in columns)]
    used: set[str] = set()
    is_10q = filing.form.startswith("10-Q")
    if is_10q and len(columns) == 4:
        used.add("ytd_facts_in_10q")
    if filing.form in ("10-K", "10-KT"):
        used.add("annual_report_without_q4")
    if not ifrs and len(tag.total_concepts) == 2:
        used.add("total_on_two_concepts")
    if ifrs:
        used.add("ifrs_revenue_concept")

    nested_span = (company.ticker, filing.form, filing.report_date) == NESTED_SPAN

    def total_cell(p: tuple[date, date], *, with_id: bool = True) -> str:
        total = reported[p]["total"]
        if len(totals) == 2:  # the same number tagged with both concepts, one nonFraction nested in the other
            inner = doc.fact(totals[1], p, total, with_id=with_id)
            return doc.fact(totals[0], p, total, with_id=with_id, inner=inner)
        return doc.fact(totals[0], p, total, with_id=with_id, span=nested_span)

    header = [column_label(p) for p in columns]
    statement = [
        ("Total revenues", [total_cell(p) for p in columns]),
        ("Total costs and expenses", [doc.fact(cost_concept, p, costs[p]) for p in columns]),
        ("Net income (loss)", [doc.fact(income_concept, p, reported[p]["total"] - costs[p]) for p in columns]),
    ]
    note_rows = []
    for member in members:
        dims = ((axis, f"{prefix}:{member}"),)
        note_rows.append(
            (MEMBER_LABELS[member], [doc.fact(member_concept, p, values[p][member], dims) for p in columns])
        )
    if "" in company.series and company.ticker == "CLSK":
        note_rows.append(
            (
                "Digital currency mining revenue",
                [doc.fact("clsk:DigitalCurrencyMiningRevenues", p, values[p][""]) for p in columns],
            )
        )
        used.add("no_product_axis")
    note_rows.append(("Total revenues", [total_cell(p, with_id=False) for p in columns]))
    used.add("duplicate_total_fact")
    extra = []
    fy = filing.fiscal_year or 0
    if company.ticker == "MARA" and filing.form == "10-K" and fy == 2024:
        acquisition = (("us-gaap:BusinessAcquisitionAxis", "mara:HostingSitesAcquisitionMember"),)
        cells = []
        for p, uplift in zip(columns[:2], (1.06, 1.12), strict=True):
            pro_forma = int(round(reported[p]["total"] * uplift / tag.unit)) * tag.unit
            cells.append(doc.fact(REVENUES, p, pro_forma, acquisition, excluded=PRO_FORMA))
        extra.append(("Unaudited pro forma revenues (hosting sites acquisition)", header[:2], [("Revenues", cells)]))
        used.add("revenue_on_business_acquisition_axis")
    if company.ticker == "MARA" and fy >= 2023:
        mining = "DigitalAssetMiningMember"
        rows = []
        for country, share in (("US", 0.8), ("PY", None)):
            cells = []
            for p in columns:
                us = int(round(values[p][mining] * 0.8 / tag.unit)) * tag.unit
                value = us if share else values[p][mining] - us
                dims = ((PRODUCT_AXIS, f"mara:{mining}"), ("srt:StatementGeographicalAxis", f"country:{country}"))
                cells.append(doc.fact(REVENUES, p, value, dims, excluded=GEOGRAPHY))
            rows.append((f"Digital asset mining, {'United States' if country == 'US' else 'Paraguay'}", cells))
        extra.append(("Digital asset mining revenue by geography", header, rows))
        used.add("two_dimension_revenue_fact")
    if company.ticker == "CORZ" and fy >= 2024:
        rows = [("Operating segments", []), ("Intersegment eliminations", [])]
        for p in columns:
            elimination = int(round(reported[p]["total"] * 0.02 / tag.unit)) * tag.unit
            axis_c = "srt:ConsolidationItemsAxis"
            operating, eliminated = (
                ((axis_c, "srt:OperatingSegmentsMember"),),
                ((axis_c, "srt:IntersegmentEliminationMember"),),
            )
            rows[0][1].append(doc.fact(REVENUES, p, reported[p]["total"] + elimination, operating, excluded=CORZ_ITEMS))
            rows[1][1].append(doc.fact(REVENUES, p, -elimination, eliminated, excluded=CORZ_ITEMS))
        extra.append(("Segment revenues and eliminations", header, rows))
        used.add("revenue_on_consolidation_items_axis")
    if company.ticker == "RIOT" and filing.form == "10-K":
        dims = (("srt:CryptoAssetAxis", "riot:BitcoinMember"),)
        cells = [doc.fact(REVENUES, p, values[p]["BitcoinMiningMember"], dims, excluded=CRYPTO_ASSET) for p in columns]
        extra.append(("Revenue by crypto asset", header, [("Bitcoin", cells)]))
        used.add("revenue_on_crypto_asset_axis")
    if company.ticker == "WULF" and any(values[p].get("OtherRevenueMember", 0) < 0 for p in columns):
        used.add("negative_member_sign")
    notes = plant_not_revenue(doc, filing, values, header, extra)
    if has_balance_sheet(filing):
        days = balance_sheet_dates(filing)
        columns_of_facts = [balance_sheet(company, day).facts(company.ticker) for day in days]
        rows = [
            (label, [doc.fact(concept, day, column[i][2]) for day, column in zip(days, columns_of_facts, strict=True)])
            for i, (label, concept, _) in enumerate(columns_of_facts[0])
        ]
        extra.append(("Consolidated Balance Sheets (extract)", [long_date(d) for d in days], rows))

    # dei cover facts
    period = filing.document_period or columns[0]
    cover = doc.context(period)
    share_cells = []
    for member, count in share_classes(company, filing.shares_date):  # one count, or one per class of stock
        shares_ctx = doc.context(filing.shares_date, ((CLASS_AXIS, member),) if member else ())
        share_cells.append(
            f'<ix:nonFraction name="{SHARES}" contextRef="{shares_ctx}" unitRef="shares" decimals="INF" '
            f'format="ixt:num-dot-decimal" scale="0">{count:,}</ix:nonFraction>'
        )
    amended = "true" if filing.form.endswith("/A") else "false"
    fiscal_year_end = f"--{company.fyem:02d}-{month_end(2001, company.fyem).day:02d}"

    def cover_fact(name: str, value: object, fmt: str | None = None) -> str:
        attributes = f' format="{fmt}"' if fmt else ""
        return f'<ix:nonNumeric name="dei:{name}" contextRef="{cover}"{attributes}>{value}</ix:nonNumeric>'

    dei = [
        cover_fact("DocumentType", filing.form.removesuffix("/A")),
        cover_fact("AmendmentFlag", amended, f"ixt:fixed-{amended}"),
        cover_fact("DocumentPeriodEndDate", filing.report_date.isoformat()),
        cover_fact("DocumentFiscalYearFocus", filing.fiscal_year),
        cover_fact("DocumentFiscalPeriodFocus", filing.fiscal_period),
        cover_fact("CurrentFiscalYearEndDate", fiscal_year_end),
        cover_fact("EntityCentralIndexKey", company.cik),
        cover_fact("EntityRegistrantName", escape(company.name, quote=False)),
        *share_cells,
    ]
    if filing.form == "10-KT":
        dei.append(cover_fact("DocumentTransitionReport", "true", "ixt:fixed-true"))

    unit_words = {1: "in US dollars", 1000: "in thousands of US dollars", 1_000_000: "in millions of US dollars"}
    unit_words = unit_words[tag.unit]
    kind = {
        "10-Q": "QUARTERLY REPORT",
        "10-Q/A": "QUARTERLY REPORT (AMENDMENT No. 1)",
        "10-K": "ANNUAL REPORT",
        "10-KT": "TRANSITION REPORT",
        "20-F": "ANNUAL REPORT",
        "40-F": "ANNUAL REPORT",
    }[filing.form]
    if filing.form == "10-KT":
        period_text = f"For the transition period from {long_date(period[0])} to {long_date(period[1])}"
    else:
        period_text = f"For the {'quarterly period' if is_10q else 'fiscal year'} ended {long_date(period[1])}"
    sections = [
        f'<p style="font-weight:bold;color:#b00">{escape(SYNTHETIC_LINE, quote=False)}</p>',
        f"<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION — FORM {filing.form} — {kind}</p>",
        f"<p>{escape(company.name)} (CIK {company.cik}; Commission File Number {company.file_number})</p>",
        f"<p>{period_text}</p>",
        f"<h3>Consolidated Statements of Operations ({unit_words})</h3>",
        html_table(header, statement),
        f"<h3>Revenue ({unit_words})</h3>",
        html_table(header, note_rows),
    ]
    if filing.form == "10-Q/A":
        original = filing.amends
        sections.insert(
            3,
            f"<p>This amendment restates the quarterly report filed on {original.filing_date.isoformat()} "
            f"(accession {original.accession}).</p>",
        )
    for title, head, rows in extra:
        sections += [f"<h3>{escape(title)} ({unit_words})</h3>", html_table(head, rows)]
    for title, paragraph in notes:
        sections += [f"<h3>{escape(title)}</h3>", f"<p>{paragraph}</p>"]
    stamp = filing.report_date.strftime("%Y%m%d")
    namespaces = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    extra_units = "".join(
        f'<xbrli:unit id="{u}"><xbrli:measure>{m}</xbrli:measure></xbrli:unit>' for u, m in doc.units.items()
    )
    header_xml = (
        f'<div style="display:none"><ix:header><ix:hidden>{"".join(dei)}</ix:hidden>'
        f'<ix:references><link:schemaRef xlink:type="simple" xlink:href="{prefix}-{stamp}.xsd"/></ix:references>'
        f"<ix:resources>{''.join(doc.context_xml)}"
        '<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>'
        '<xbrli:unit id="shares"><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unit>'
        f"{extra_units}"
        "</ix:resources></ix:header></div>"
    )
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<html xmlns="http://www.w3.org/1999/xhtml" {namespaces} xmlns:{prefix}="http://www.{tag.domain}/{stamp}">',
            f"<head>{CONTENT_TYPE}<title>{prefix}-{stamp} (SYNTHETIC)</title></head>",
            "<body>",
            header_xml,
            "".join(sections),
            "</body>",
            "</html>",
            "",
        ]
    )
    return body.encode("utf-8"), used | doc.used, reported, doc.excluded


def render_plain(filing: Filing) -> bytes:
    """A small XHTML primary document (8-K, 6-K, DEF 14A, S-8): no XBRL, so a fetcher just gets a page."""
    company = filing.company
    items = f"<p>Items: {filing.items}</p>" if filing.items else ""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<html xmlns="http://www.w3.org/1999/xhtml">',
        f"<head>{CONTENT_TYPE}<title>{company.prefix} {filing.form} (SYNTHETIC)</title></head>",
        "<body>",
        f'<p style="font-weight:bold;color:#b00">{escape(SYNTHETIC_LINE, quote=False)}</p>',
        f"<p>{escape(company.name)} (CIK {company.cik}) — FORM {filing.form} — "
        f"{long_date(filing.report_date or filing.filing_date)}</p>",
        f"{items}<p>{escape(filing.text, quote=False)}</p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")
