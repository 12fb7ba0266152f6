"""The Miner Convergence report: one self-contained HTML page of plotly charts, read from the serving file.

`render_report(connection)` takes a (read-only) DuckDB connection to the published serving file and returns
the page: a header saying where the data come from (and SYNTHETIC when they are), then the charts:

1. revenue mix per company by quarter (stacked bars, the 2024-04-20 halving marked),
2. AI/HPC capacity under contract by month (MW per company),
3. power per company over time: energized and contracted power against the MW contracted to AI,
4. rolling 252-session betas to BTC and to the AI factor per company, with their 95% bands,
5. event-day abnormal returns, company x event (heatmap),
6. the miners' mean CAR over sessions -1..+1 per event, market and market + BTC models, with the
   Kolari-Pynnonen t (the group test that allows for the firms' shared shock),
7. value per megawatt: EV per energized MW per company against VanEck's miner and data-centre marks, then
   the VanEck DCF preset's aggregate over its sensitivity grid, with its assumptions printed,
8. what a megawatt earns: hashprice through the 2024 halving, mining revenue per MW at the fleet efficiencies
   against the AI/HPC contracts' revenue per MW, and per company its own realised figures.

The page shows what was published: a section whose table the latest publish left stale (`publish_status`) shows
its last good version and says so and why; a section whose table is missing says which and why in place of its
chart. Only a file that is not a serving file, or one where nothing was published, makes no report.

plotly.js is inlined once, with the first chart, so the page opens offline and fetches nothing. Values are
rounded before they are written (revenue to $10k, MW to 0.1, betas to 0.001, returns to 0.01 pp): the
figures stay small next to the ~4.8 MB of plotly.js. The charts draw at most MAX_CHARTED_COMPANIES companies
(miners first, by ticker) and the header says so when the universe has more: a panel per company of a universe
of hundreds is a page nobody reads (1,000 companies made a 302 MB page, in 171 s and 6.8 GiB); the published
tables hold every company.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from orchestration.reporting.figures import (
    FONT,
    beta_figure,
    contracted_mw_figure,
    current_name,
    event_heatmap_figure,
    event_study_figure,
    megawatt_figure,
    power_figure,
    revenue_mix_figure,
    value_per_mw_figure,
)
from orchestration.reporting.queries import (
    BETA_WINDOW,
    EVENT_STUDY_WINDOW,
    QUERY_TABLES,
    PublishInfo,
    TableStatus,
    latest_publish,
    present_tables,
    read_queries,
    table_status,
    table_statuses,
)

TITLE = "Miner Convergence"

# section id -> (heading, caption)
CHARTS = {
    "revenue-mix": (
        "Revenue mix by quarter",
        "Revenue per fiscal quarter by category, in $ millions, from each company's 10-Q/10-K XBRL "
        "(fiscal years for annual-only filers). The dashed line marks the bitcoin halving of 2024-04-20.",
    ),
    "contracted-mw": (
        "AI/HPC capacity under contract",
        "Critical IT megawatts under signed AI/HPC hosting or lease contracts at each month end "
        "(companies with at least one contract).",
    ),
    "power": (
        "Power: energized vs contracted to AI",
        "Per company, the latest cited figure as known at each month end (no later figure is used): energized "
        "and contracted (secured, energized or not) power in grid MW, and the critical-IT MW under signed "
        "AI/HPC contracts. Grid MW and IT MW are not interchangeable: IT load draws more grid power than its "
        "own MW, so AI IT MW over grid MW understates the share of power committed to AI. Companies without a "
        "cited company-level power figure show their AI MW only.",
    ),
    "betas": (
        "Rolling betas: BTC versus AI",
        f"Three-factor OLS betas of daily returns over the trailing {BETA_WINDOW} US sessions: to bitcoin (Dimson "
        f"sum of the same-day and previous-session coefficients) and to the AI factor (NVDA with its market beta "
        f"removed), the market (SPY) held fixed. Shaded: 95% bands from Newey-West standard errors; the bar at the "
        f"end of each line is the latest window's band. A bitcoin proxy has a high β to BTC; an "
        f"AI-infrastructure stock a high β to AI.",
    ),
    "event-reactions": (
        "Event-day abnormal returns",
        "Market-model abnormal return on the first US session of each event, in percent "
        "(blank: the stock was not trading then, or had too short a history to estimate the market model).",
    ),
    "event-study": (
        "Miners as a group: mean CAR per event",
        f"Mean cumulative abnormal return of the miners over sessions {EVENT_STUDY_WINDOW} around each event, "
        "in percent, from a market model (SPY) and a market + bitcoin model. Each bar is annotated with the "
        "Kolari-Pynnönen t, which allows for the firms' shared shock (|t| above about 2 is significant at 5%), "
        "its p-value and the number of miners.",
    ),
    "value-per-mw": (
        "Value per megawatt",
        "Enterprise value per energized MW on the latest session, per company ($ millions per grid MW; market cap "
        "from the close and the filed share count, plus filed debt, less filed cash). Reference lines: VanEck "
        "(Sigel and Frankovitz, 'Bitcoin Miners' AI Arbitrage Play to Boost Revenue', 16 Aug 2024) found miners "
        "trading near $4.5M per MW of installed capacity, against above $30M per MW for some data-centre stocks. "
        "Below: VanEck's 2024 DCF preset summed over the largest miners by cited power, across the grid of the "
        "inputs VanEck did not publish, and the assumptions (published by VanEck, or declared here).",
    ),
    "megawatt": (
        "What a megawatt earns",
        "Mining: the network's hashprice (miners' revenue, subsidy plus fees, per PH/s of network hashrate per "
        "day; the dashed line is the 2024-04-20 halving) and what a MW of machines at each fleet efficiency "
        "earns a year at that hashprice, before power. AI/HPC: the revenue per grid MW a year of the signed "
        "contracts public by each quarter end (value / term / critical-IT MW, times the declared IT MW per MW "
        "of power), every universe company's. Below, per company, its own figures for its latest period with "
        "any: realised mining revenue per EH/s against the network's, per energized MW, and its pivot multiple.",
    ),
}
# What makes a file a serving file; every other table may be missing (its sections then say so and why).
SECTION_QUERIES = {
    "revenue-mix": (("revenue",), ()),
    "contracted-mw": (("capacity",), ()),
    "power": (("capacity",), ()),
    "betas": (("betas",), ()),
    "event-reactions": (("events",), ()),
    "event-study": (("event_study",), ()),
    "value-per-mw": (("valuation",), ("dcf", "dcf_assumptions")),
    "megawatt": (("network",), ("unit_economics",)),
}
MAX_CHARTED_COMPANIES = 30
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Report:
    """The page, and per section what it could not show fresh (the notices, also on the page)."""

    page: str
    notices: dict[str, list[str]] = field(default_factory=dict)


def _money(value: object, scale: float = 1e9, suffix: str = "B") -> str:
    if value is None or pd.isna(value):
        return "–"
    amount = float(value) / scale
    return f"{'-' if amount < 0 else ''}${abs(amount):,.1f}{suffix}"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def pivot_scenarios_html(scenarios: pd.DataFrame, assumptions: pd.DataFrame) -> str:
    """The VanEck DCF preset's aggregate per grid point, next to VanEck's figures, and its assumptions."""
    published = {row.assumption: row.assumption_value for row in assumptions.itertuples() if row.status == "published"}
    if scenarios.empty:
        summary = '<p class="caption">No VanEck DCF scenarios are published yet.</p>'
    else:
        first = scenarios.iloc[0]
        summary = (
            f'<p class="caption">Aggregate over {int(first["n_miners"])} miners ({html.escape(first["tickers"])}), '
            f"power as of {html.escape(str(first['power_as_of_min']))} to "
            f"{html.escape(str(first['power_as_of_max']))}; "
            f"excluded, no cited company-level power: {html.escape(_text(first['excluded']) or 'none')}. "
            f"NPV as of {html.escape(str(first['valuation_date']))}. VanEck: NPV "
            f"{_money(published.get('vaneck_npv_usd'))}, {_money(published.get('vaneck_annual_uplift_usd'))} a year."
            "</p>"
        )
        rows = [
            [
                f"{row.margin:.0%}",
                f"{row.discount_rate:.0%}",
                _money(row.gpu_capex_usd_per_mw, 1e6, "M"),
                f"{row.power_mw_moved:,.0f}",
                _money(row.annual_revenue_usd),
                _money(row.annual_cash_flow_usd),
                _money(row.capex_usd),
                _money(row.npv_usd),
                "base case" if row.is_base_case else "",
            ]
            for row in scenarios.itertuples()
        ]
        summary += _table(
            [
                "margin",
                "discount rate",
                "GPU capex per MW",
                "MW moved",
                "revenue a year",
                "cash flow a year",
                "capex",
                "NPV",
                "",
            ],
            rows,
        )
    assumption_rows = [
        [_text(row.assumption), f"{row.assumption_value:,.10g}", _text(row.unit), _text(row.status)]
        + [_text(row.source), _text(row.note)]
        for row in assumptions.itertuples()
    ]
    return (
        summary
        + '<p class="caption">Assumptions of the DCF preset (reference.vaneck_dcf_assumptions):</p>'
        + _table(["assumption", "value", "unit", "status", "source", "note"], assumption_rows)
    )


def _ratio(value: object, digits: int = 2) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def unit_economics_html(unit_economics: pd.DataFrame, companies: dict[str, str]) -> str:
    """Per company, its latest period with a realised figure (mart_miner_unit_economics), and who has none."""
    realised = unit_economics.dropna(
        subset=["realisation_ratio", "mining_usd_per_energized_mw_year"], how="all"
    ).drop_duplicates("ticker", keep="last")
    rows = []
    for row in realised.itertuples():
        own = not pd.isna(row.ai_contract_usd_per_grid_mw_year)
        ai = row.ai_contract_usd_per_grid_mw_year if own else row.market_ai_contract_usd_per_grid_mw_year
        multiple = row.pivot_multiple if own else row.pivot_multiple_at_market_contracts
        rows.append(
            [
                row.ticker,
                current_name(companies.get(row.ticker)),
                f"{row.period_end} ({row.period_type})",
                _ratio(row.realisation_ratio),
                _money(row.mining_usd_per_energized_mw_year, 1e6, "M"),
                f"{_money(ai, 1e6, 'M')} ({'own' if own else 'market'})" if not pd.isna(ai) else "–",
                _ratio(multiple),
                _text(row.known_from),
            ]
        )
    lacking = sorted(set(unit_economics["ticker"]) - set(realised["ticker"]))
    names = html.escape(", ".join(lacking))
    note = f'<p class="caption">No hashrate or energized MW cited for a period with revenue: {names}.</p>'
    note = note if lacking else ""
    header = [
        "ticker",
        "company",
        "period",
        "realisation ratio",
        "mining per energized MW a year",
        "AI/HPC contracts per grid MW a year",
        "pivot multiple",
        "figures public by",
    ]
    return _table(header, rows) + note


_STYLE = (
    f"body {{ font-family: {FONT}; margin: 0; color: #1d1d1f; background: #fafafa; }}"
    + """
header, section, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { margin: 0 0 8px; font-size: 28px; }
h2 { margin: 28px 0 4px; font-size: 20px; }
p.caption { margin: 0 0 8px; color: #555; font-size: 14px; max-width: 980px; }
.banner { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 8px 0 12px; }
.banner.synthetic { background: #fdecea; border: 2px solid #d62728; color: #8a1c1c; }
.banner.real { background: #eef6ee; border: 1px solid #2ca02c; color: #1f5f1f; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0 0 8px; font-size: 14px; }
dl.facts dt { color: #555; } dl.facts dd { margin: 0; }
nav a { margin-right: 16px; font-size: 14px; }
section { background: #fff; border-top: 1px solid #e5e5e5; padding-bottom: 12px; }
footer { color: #666; font-size: 12px; padding-top: 16px; padding-bottom: 24px; }
code { font-size: 12px; }
p.notice { margin: 6px 0; padding: 8px 12px; border-left: 4px solid #e6a700; background: #fff8e1; font-size: 14px;
  max-width: 980px; }
table.grid { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px; }
table.grid th, table.grid td { border-bottom: 1px solid #e5e5e5; padding: 3px 10px; text-align: left; }
"""
)


def _charted_only(frames: dict[str, pd.DataFrame | None], left_out: set[str]) -> dict[str, pd.DataFrame | None]:
    """The frames without the rows of the companies left out of the charts (the companies list itself whole)."""
    return {
        name: frame[~frame["ticker"].isin(left_out)]
        if name != "companies" and frame is not None and "ticker" in frame.columns
        else frame
        for name, frame in frames.items()
    }


def _header(publish: PublishInfo, notices: dict[str, list[str]], charted: tuple[int, int]) -> str:
    esc = html.escape
    if publish.is_synthetic:
        banner = (
            '<p class="banner synthetic">SYNTHETIC snapshot data: the prices, SEC filings or bitcoin network '
            "statistics behind these charts (the data source says which) are generated by seeded models (planted "
            "betas, event shocks and revenue mix). Real tickers, dates and contracts; not real market data. Do not "
            "use them for decisions.</p>"
        )
    else:
        banner = '<p class="banner real">Published data from the configured live or file sources.</p>'
    as_of = publish.data_as_of.isoformat() if publish.data_as_of else "unknown"
    published = publish.published_at.strftime("%Y-%m-%d %H:%M:%S") + " UTC"
    synthetic = "SYNTHETIC" if publish.is_synthetic else "no"
    network = f" · bitcoin network: <b>{esc(publish.network_source)}</b>" if publish.network_source else ""
    nav = " ".join(f'<a href="#{anchor}">{esc(title)}</a>' for anchor, (title, _) in CHARTS.items())
    not_fresh = ""
    if notices:
        links = " · ".join(f'<a href="#{anchor}">{esc(CHARTS[anchor][0])}</a>' for anchor in notices)
        not_fresh = f"\n<dt>Not from this publish</dt><dd>stale or missing: {links} (each section says why)</dd>"
    shown, universe = charted
    cut = (
        f"\n<dt>Companies charted</dt><dd>the first {shown:,} of {universe:,} (miners first, by ticker); "
        "the published tables hold them all</dd>"
        if shown < universe
        else ""
    )
    return f"""<header>
<h1>{esc(TITLE)}</h1>
<p class="caption">Listed bitcoin miners turning their power, sites and cooling into AI/HPC data centres.</p>
{banner}
<dl class="facts">
<dt>Data source</dt><dd>market data: <b>{esc(publish.source)}</b>
 · SEC filings: <b>{esc(publish.sec_source)}</b>{network} · synthetic: <b>{synthetic}</b></dd>
<dt>Data as of</dt><dd><b>{esc(as_of)}</b> (last US session in the data)</dd>
<dt>Published</dt><dd>{esc(published)} · run <code>{esc(publish.run_id)}</code></dd>{not_fresh}{cut}
</dl>
<nav>{nav}</nav>
</header>"""


def _footer(publish: PublishInfo, statuses: dict[str, TableStatus]) -> str:
    status = {name: statuses[name].status if name in statuses else "fresh" for name in publish.tables}
    tables = ", ".join(
        f"{html.escape(name)} ({rows:,} rows{', stale' if status[name] == 'stale' else ''})"
        for name, rows in sorted(publish.tables.items())
        if status[name] != "missing"
    )
    missing = sorted(name for name in publish.tables if status[name] == "missing")
    not_published = f" Not published: {html.escape(', '.join(missing))}." if missing else ""
    return (
        "<footer>Read from the serving file (serving.duckdb), which holds only tables whose quality gates "
        f"passed. Published tables: {tables}.{not_published}</footer>"
    )


def _notices_html(notices: list[str]) -> str:
    return "".join(f'<p class="notice">{html.escape(notice)}.</p>\n' for notice in notices)


def build_report(connection: duckdb.DuckDBPyConnection) -> Report:
    """The whole report as one HTML page, from a connection to a serving file, with the sections' notices.

    A section whose tables the latest publish left stale shows their last good version and says so and why; a
    section whose tables are missing says which and why instead of its chart. Only a file that is not a
    serving file, or one with nothing published, is refused (ReportError).
    """
    present = present_tables(connection)
    publish = latest_publish(connection)
    statuses = table_statuses(connection, present)
    frames, problems = read_queries(connection, present, statuses)
    miners = frames["companies"]
    companies = {} if miners is None else dict(zip(miners["ticker"], miners["company_name"], strict=True))
    charted = (min(len(companies), MAX_CHARTED_COMPANIES), len(companies))
    frames = _charted_only(frames, set(list(companies)[MAX_CHARTED_COMPANIES:]))
    draw = {
        "revenue-mix": lambda: revenue_mix_figure(frames["revenue"], companies),
        "contracted-mw": lambda: contracted_mw_figure(frames["capacity"], companies),
        "power": lambda: power_figure(frames["capacity"], companies),
        "betas": lambda: beta_figure(frames["betas"], companies),
        "event-reactions": lambda: event_heatmap_figure(frames["events"], companies),
        "event-study": lambda: event_study_figure(frames["event_study"]),
        "value-per-mw": lambda: value_per_mw_figure(frames["valuation"], companies),
        "megawatt": lambda: megawatt_figure(frames["network"], frames["unit_economics"]),
    }
    below = {
        "value-per-mw": lambda: pivot_scenarios_html(frames["dcf"], frames["dcf_assumptions"]),
        "megawatt": lambda: unit_economics_html(frames["unit_economics"], companies),
    }
    sections, all_notices = [], {}
    plotly_inlined = False
    for anchor, (chart_queries, below_queries) in SECTION_QUERIES.items():
        title, caption = CHARTS[anchor]
        notices: list[str] = []
        for name in (*chart_queries, *below_queries):
            notices += [status.notice() for status in problems.get(name, [])]
        for table in dict.fromkeys(t for name in (*chart_queries, *below_queries) for t in QUERY_TABLES[name]):
            status = table_status(table, present, statuses)
            if status.status == "stale":
                notices.append(status.notice())
        notices = list(dict.fromkeys(notices))
        div = ""
        if not any(name in problems for name in chart_queries):
            div = draw[anchor]().to_html(
                full_html=False,
                include_plotlyjs=not plotly_inlined,  # plotly.js inline once; later charts use window.Plotly
                include_mathjax=False,
                div_id=f"chart-{anchor}",
                config=PLOT_CONFIG,
            )
            plotly_inlined = True
        extra = below[anchor]() if anchor in below and not any(n in problems for n in below_queries) else ""
        if notices:
            all_notices[anchor] = notices
        sections.append(
            f'<section id="{anchor}">\n<h2>{html.escape(title)}</h2>\n'
            f'<p class="caption">{html.escape(caption)}</p>\n{_notices_html(notices)}{div}\n{extra}</section>'
        )
    body = "\n".join([_header(publish, all_notices, charted), *sections, _footer(publish, statuses)])
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(TITLE)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return Report(page, all_notices)


def render_report(connection: duckdb.DuckDBPyConnection) -> str:
    """The whole report as one HTML page, from a connection to a serving file."""
    return build_report(connection).page
