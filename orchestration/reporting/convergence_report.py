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
   the VanEck DCF preset's aggregate over its sensitivity grid, with its assumptions printed.

The page shows what was published: a section whose table the latest publish left stale (`publish_status`) shows
its last good version and says so and why; a section whose table is missing says which and why in place of its
chart. Only a file that is not a serving file, or one where nothing was published, makes no report.

plotly.js is inlined once, with the first chart, so the page opens offline and fetches nothing. Values are
rounded before they are written (revenue to $10k, MW to 0.1, betas to 0.001, returns to 0.01 pp): the
figures stay small next to the ~4.8 MB of plotly.js.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

TITLE = "Miner Convergence"
HALVING_DATE = "2024-04-20"
BETA_WINDOW = 252
GRID_COLUMNS = 3
PANEL_HEIGHT = 230  # px per row of small multiples
GRID_TOP = 80  # px above the first row of small multiples: the legend, then the subplot titles

# (column, label, colour) in stacking order, bottom up
REVENUE_CATEGORIES = (
    ("self_mining_revenue", "Self-mining", "#f7931a"),
    ("hosting_revenue", "Hosting", "#8c6d31"),
    ("hpc_ai_revenue", "HPC / AI", "#2ca02c"),
    ("other_revenue", "Other", "#9e9e9e"),
    ("unclassified_revenue", "Unclassified", "#d62728"),
)
EVENT_STUDY_WINDOW = "[-1,+1]"
EVENT_STUDY_MODELS = (("market", "market model (SPY)", "#1f77b4"), ("market_btc", "market + BTC model", "#f7931a"))
BETA_SERIES = (("beta_btc", "β to BTC", "#f7931a"), ("beta_ai", "β to AI (NVDA)", "#1f77b4"))
# (column, label, colour, dash) of the power chart, in drawing order
POWER_SERIES = (
    ("contracted_mw", "Contracted power (grid MW)", "#7f7f7f", "dash"),
    ("energized_mw", "Energized power (grid MW)", "#f7931a", "solid"),
    ("ai_mw_contracted", "Contracted to AI/HPC (critical-IT MW)", "#2ca02c", "solid"),
)
_BAND_FILL = {"#f7931a": "rgba(247, 147, 26, 0.18)", "#1f77b4": "rgba(31, 119, 180, 0.18)"}

# VanEck (Sigel and Frankovitz, 16 Aug 2024): miners ~$4.5M per MW of installed capacity, some data-centre stocks
# above $30M per MW
VANECK_MINER_USD_PER_MW = 4_500_000
VANECK_DATA_CENTRE_USD_PER_MW = 30_000_000
DCF_SCENARIO_SET = "vaneck_2024_dcf"

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
}
# What makes a file a serving file; every other table may be missing (its sections then say so and why).
REQUIRED_TABLES = ("main.publish_log",)
# query (in _QUERIES) -> the served tables it reads
QUERY_TABLES = {
    "companies": ("reference.miners",),
    "revenue": ("marts.mart_revenue_mix", "reference.miners"),
    "capacity": ("marts.mart_ai_capacity_exposure", "reference.miners"),
    "betas": ("marts.mart_factor_exposure", "reference.miners"),
    "events": ("marts.mart_event_reactions", "reference.miners"),
    "event_study": ("marts.mart_event_study_summary",),
    "valuation": ("marts.mart_valuation_per_mw", "reference.miners"),
    "dcf": ("marts.mart_ai_pivot_scenarios",),
    "dcf_assumptions": ("reference.vaneck_dcf_assumptions",),
}
# section -> (the queries its chart needs, the queries of what is printed below the chart)
SECTION_QUERIES = {
    "revenue-mix": (("revenue",), ()),
    "contracted-mw": (("capacity",), ()),
    "power": (("capacity",), ()),
    "betas": (("betas",), ()),
    "event-reactions": (("events",), ()),
    "event-study": (("event_study",), ()),
    "value-per-mw": (("valuation",), ("dcf", "dcf_assumptions")),
}
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


class ReportError(ValueError):
    """The serving file cannot make a report (not a serving file, nothing published)."""


@dataclass(frozen=True)
class TableStatus:
    """What the latest publish did with one served table (its `publish_status` row), or that the file lacks it."""

    table: str
    status: str  # fresh, stale, missing (not in the file), or unreadable (in the file, but its query failed)
    reason: str | None = None
    built_in_run_id: str | None = None
    built_at: datetime | None = None

    def notice(self) -> str:
        """One sentence for a section: what is shown of this table and why it is not this publish's build."""
        why = f": {self.reason}" if self.reason else ""
        if self.status == "stale":
            built = f"built in run {self.built_in_run_id}" if self.built_in_run_id else "built by an earlier run"
            when = f" on {self.built_at:%Y-%m-%d %H:%M} UTC" if self.built_at else ""
            return f"{self.table} is stale: the last good version ({built}{when}) is shown; not rebuilt{why}"
        if self.status == "unreadable":
            return f"{self.table} is published but could not be read{why}"
        return f"{self.table} is not published{why}"


@dataclass(frozen=True)
class Report:
    """The page, and per section what it could not show fresh (the notices, also on the page)."""

    page: str
    notices: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishInfo:
    """The latest publish run recorded in the serving file's publish_log."""

    run_id: str
    published_at: datetime
    source: str
    sec_source: str
    is_synthetic: bool
    data_as_of: date | None
    tables: dict[str, int] = field(default_factory=dict)


def latest_publish(connection: duckdb.DuckDBPyConnection) -> PublishInfo:
    rows = connection.execute(
        """
        select run_id, published_at, source, sec_source, is_synthetic, data_as_of, table_name, row_count
        from main.publish_log
        where published_at = (select max(published_at) from main.publish_log)
        order by table_name
        """
    ).fetchall()
    if not rows:
        raise ReportError("the serving file's publish_log is empty: nothing has been published yet")
    run_id, published_at, source, sec_source = rows[0][:4]
    as_of = [row[5] for row in rows if row[5] is not None]
    return PublishInfo(
        run_id=run_id,
        published_at=published_at,
        source=source,
        sec_source=sec_source,
        is_synthetic=any(bool(row[4]) for row in rows),
        data_as_of=max(as_of) if as_of else None,
        tables={row[6]: row[7] for row in rows},
    )


def _present_tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    present = {
        f"{schema}.{table}"
        for schema, table in connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    missing = [table for table in REQUIRED_TABLES if table not in present]
    if missing:
        raise ReportError(f"the serving file lacks {', '.join(missing)}: is it a serving file written by publish?")
    return present


def table_statuses(connection: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, TableStatus]:
    """Per served table, the latest publish's status (`publish_status`): fresh, stale with why, or missing
    with why. A file written before per-table status has no `publish_status`: its tables count as fresh."""
    if "main.publish_status" not in present:
        return {}
    rows = connection.execute(
        "select table_name, status, stale_reason, built_in_run_id, built_at from main.publish_status"
    ).fetchall()
    return {row[0]: TableStatus(*row) for row in rows}


def _status(table: str, present: set[str], statuses: dict[str, TableStatus]) -> TableStatus:
    known = statuses.get(table)
    if table not in present:
        reason = known.reason if known and known.status != "fresh" else None
        return TableStatus(table, "missing", reason or "the serving file does not hold it")
    return known or TableStatus(table, "fresh")


def _frame(connection: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return connection.execute(sql).df()


def _rounded(values: Iterable, digits: int, scale: float = 1.0) -> list[float | None]:
    """Plain, rounded JSON numbers (null for missing): short in the page and readable in its source."""
    out: list[float | None] = []
    for value in values:
        if value is None or pd.isna(value):
            out.append(None)
        else:
            out.append(round(float(value) * scale, digits))
    return out


def _company_order(tickers: Iterable[str], companies: dict[str, str]) -> list[str]:
    """Universe order (the miners table's, sorted by ticker) first, then anything else alphabetically."""
    present = set(tickers)
    ordered = [ticker for ticker in companies if ticker in present]
    return ordered + sorted(present - set(ordered))


def _short_name(ticker: str, companies: dict[str, str], limit: int = 26) -> str:
    name = companies.get(ticker) or ""
    name = name.split(" (")[0]  # drop "(fka ...)"
    if len(name) > limit:
        name = name[: limit - 1].rstrip() + "…"
    return f"<b>{ticker}</b> {name}" if name else f"<b>{ticker}</b>"


def _layout(fig: go.Figure, height: int, top: int = 50, bottom: int = 40, **extra) -> go.Figure:
    """Common look; the horizontal legend sits in the top margin, clear of the (subplot) titles."""
    plot_height = max(height - top - bottom, 1)
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 30, "t": top, "b": bottom},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1 + 28 / plot_height, "x": 0, "xanchor": "left"},
        **{"hovermode": "closest", **extra},
    )
    return fig


def _empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, 160)


def _grid(panels: int, titles: list[str]) -> tuple[go.Figure, int]:
    rows = max(1, math.ceil(panels / GRID_COLUMNS))
    height = GRID_TOP + 40 + PANEL_HEIGHT * rows
    fig = make_subplots(
        rows=rows,
        cols=GRID_COLUMNS,
        subplot_titles=titles,
        horizontal_spacing=0.06,
        vertical_spacing=min(75 / height, 0.9 / max(rows - 1, 1)),
    )
    fig.update_annotations(font_size=12)  # the subplot titles
    return fig, height


def _cell(index: int) -> dict[str, int]:
    return {"row": index // GRID_COLUMNS + 1, "col": index % GRID_COLUMNS + 1}


# ---------------------------------------------------------------------------------------------- charts


def revenue_mix_figure(revenue: pd.DataFrame, companies: dict[str, str]) -> go.Figure:
    """Stacked revenue by category per company, quarters (fiscal years for annual-only filers)."""
    if revenue.empty:
        return _empty_figure("No revenue periods are published yet.")
    panels = []
    for ticker in _company_order(revenue["ticker"], companies):
        rows = revenue[revenue["ticker"] == ticker]
        quarters = rows[rows["period_type"] == "quarter"]
        annual = quarters.empty
        rows = (rows[rows["period_type"] == "fiscal_year"] if annual else quarters).sort_values("period_end")
        if not rows.empty:
            panels.append((ticker, rows, annual))
    titles = [_short_name(t, companies) + (" · fiscal years" if annual else "") for t, _, annual in panels]
    fig, height = _grid(len(panels), titles)
    in_legend: set[str] = set()
    for index, (ticker, rows, annual) in enumerate(panels):
        period = "FY" if annual else "quarter to"
        for column, label, colour in REVENUE_CATEGORIES:
            values = rows[column].astype(float).fillna(0.0)
            if not values.abs().gt(0).any():
                continue
            fig.add_trace(
                go.Bar(
                    x=list(rows["period_end"]),
                    y=_rounded(values, 2, 1e-6),
                    name=label,
                    legendgroup=label,
                    showlegend=label not in in_legend,
                    marker_color=colour,
                    hovertemplate=f"{ticker} {label}<br>{period} %{{x}}: $%{{y:,.2f}}M<extra></extra>",
                ),
                **_cell(index),
            )
            in_legend.add(label)
        fig.add_vline(x=HALVING_DATE, line_dash="dash", line_color="#555", line_width=1, **_cell(index))
    starts, ends = sorted(revenue["period_start"].dropna()), sorted(revenue["period_end"].dropna())
    # a bar is centred on its period end: leave room for half of the last quarter's bar
    last = (pd.Timestamp(ends[-1]) + pd.Timedelta(days=50)).date().isoformat() if ends else None
    x_range = [min(starts[0], HALVING_DATE), last] if starts and last else None
    fig.update_xaxes(range=x_range, type="date", tickformat="%Y")
    fig.update_yaxes(tickprefix="$", ticksuffix="M", rangemode="tozero")
    return _layout(fig, height, top=GRID_TOP, barmode="relative", bargap=0.15)


def contracted_mw_figure(capacity: pd.DataFrame, companies: dict[str, str]) -> go.Figure:
    """Contracted AI/HPC MW by month end, one line per company that ever had a contract."""
    if capacity.empty or not (capacity["ai_mw_contracted"].fillna(0) > 0).any():
        return _empty_figure("No AI/HPC contracts in the published data.")
    fig = go.Figure()
    with_contracts = capacity.groupby("ticker")["ai_mw_contracted"].max()
    tickers = [t for t in _company_order(capacity["ticker"], companies) if (with_contracts.get(t) or 0) > 0]
    for ticker in tickers:
        rows = capacity[capacity["ticker"] == ticker].sort_values("month_end")
        fig.add_trace(
            go.Scatter(
                x=list(rows["month_end"]),
                y=_rounded(rows["ai_mw_contracted"], 1),
                name=ticker,
                mode="lines",
                line={"shape": "hv", "width": 2},
                hovertemplate=f"{ticker} %{{x|%b %Y}}: %{{y:,.0f}} MW<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="contracted MW (critical IT)", rangemode="tozero")
    fig.update_xaxes(type="date")
    return _layout(fig, 460, hovermode="x unified")


def power_figure(capacity: pd.DataFrame, companies: dict[str, str]) -> go.Figure:
    """Energized and contracted power against the MW contracted to AI, per company over time (small multiples)."""
    columns = [column for column, *_ in POWER_SERIES]
    cited = capacity[capacity[columns].fillna(0).gt(0).any(axis=1)] if not capacity.empty else capacity
    if cited.empty:
        return _empty_figure("No cited power or AI/HPC contracts in the published data.")
    tickers = _company_order(cited["ticker"], companies)
    fig, height = _grid(len(tickers), [_short_name(t, companies) for t in tickers])
    by_ticker = dict(tuple(capacity.groupby("ticker", sort=False)))
    for index, ticker in enumerate(tickers):
        rows = by_ticker[ticker].sort_values("month_end")
        for column, label, colour, dash in POWER_SERIES:
            fig.add_trace(
                go.Scatter(
                    x=list(rows["month_end"]),
                    y=_rounded(rows[column], 1),
                    name=label,
                    legendgroup=label,
                    showlegend=index == 0,
                    mode="lines",
                    line={"color": colour, "width": 1.8, "dash": dash, "shape": "hv"},
                    hovertemplate=f"{ticker} {label} %{{x|%b %Y}}: %{{y:,.0f}} MW<extra></extra>",
                ),
                **_cell(index),
            )
    fig.update_xaxes(type="date")
    fig.update_yaxes(rangemode="tozero", ticksuffix=" MW")
    return _layout(fig, height, top=GRID_TOP)


def beta_figure(betas: pd.DataFrame, companies: dict[str, str]) -> go.Figure:
    """beta_btc and beta_ai over time per company with their 95% bands (shaded), the latest window's band as
    an error bar, one panel each, on a common y range."""
    if betas.empty:
        return _empty_figure(f"No {BETA_WINDOW}-session betas are published yet.")
    tickers = _company_order(betas["ticker"], companies)
    fig, height = _grid(len(tickers), [_short_name(t, companies) for t in tickers])
    # one pass over the rows: a boolean filter per ticker rescans every row each time (quadratic in tickers)
    by_ticker = dict(tuple(betas.groupby("ticker", sort=False)))
    for index, ticker in enumerate(tickers):
        rows = by_ticker[ticker].sort_values("session_date")
        dates = list(rows["session_date"])
        for column, label, colour in BETA_SERIES:
            lower, upper = rows[f"{column}_lower_95"], rows[f"{column}_upper_95"]
            fig.add_trace(  # the 95% band: upper edge forward, lower edge back, filled
                go.Scatter(
                    x=dates + dates[::-1],
                    y=_rounded(upper, 3) + _rounded(lower, 3)[::-1],
                    legendgroup=label,
                    showlegend=False,
                    mode="lines",
                    line={"width": 0},
                    fill="toself",
                    fillcolor=_BAND_FILL[colour],
                    hoverinfo="skip",
                ),
                **_cell(index),
            )
            fig.add_trace(
                go.Scatter(
                    x=dates,
                    y=_rounded(rows[column], 3),
                    name=label,
                    legendgroup=label,
                    showlegend=index == 0,
                    mode="lines",
                    line={"color": colour, "width": 1.5},
                    customdata=list(zip(_rounded(lower, 2), _rounded(upper, 2), strict=True)),
                    hovertemplate=(
                        f"{ticker} {label} %{{x}}: %{{y:.2f}} [%{{customdata[0]}}, %{{customdata[1]}}]<extra></extra>"
                    ),
                ),
                **_cell(index),
            )
            latest = rows.iloc[-1]
            fig.add_trace(  # the latest window's estimate with its band as an error bar
                go.Scatter(
                    x=[dates[-1]],
                    y=_rounded([latest[column]], 3),
                    legendgroup=label,
                    showlegend=False,
                    mode="markers",
                    marker={"color": colour, "size": 6},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": _rounded([latest[f"{column}_upper_95"] - latest[column]], 3),
                        "arrayminus": _rounded([latest[column] - latest[f"{column}_lower_95"]], 3),
                        "color": colour,
                        "thickness": 1.5,
                        "width": 4,
                    },
                    hovertemplate=(
                        f"{ticker} latest {label} %{{x}}: %{{y:.2f}} "
                        f"[{latest[f'{column}_lower_95']:.2f}, {latest[f'{column}_upper_95']:.2f}]<extra></extra>"
                    ),
                ),
                **_cell(index),
            )
    # the y range holds the betas and, where they are finite, their bands
    parts = ("", "_lower_95", "_upper_95")
    values = pd.concat([betas[f"{column}{part}"] for column, _, _ in BETA_SERIES for part in parts])
    values = values.astype(float)
    values = values[values.abs() < math.inf]
    low, high = (min(values.min(), 0.0), max(values.max(), 1.0)) if not values.empty else (0.0, 1.0)
    pad = 0.05 * (high - low)
    dates = betas["session_date"].dropna()
    fig.update_xaxes(type="date", range=[dates.min(), dates.max()] if not dates.empty else None)
    fig.update_yaxes(range=[round(low - pad, 2), round(high + pad, 2)], zeroline=True, zerolinecolor="#999")
    return _layout(fig, height, top=GRID_TOP)


def event_heatmap_figure(events: pd.DataFrame, companies: dict[str, str]) -> go.Figure:
    """Abnormal return on the event session, ticker x event, in percent."""
    if events.empty:
        return _empty_figure("No event reactions are published yet.")
    tickers = _company_order(events["ticker"], companies)
    catalogue = events.drop_duplicates("event_id").sort_values(["event_date", "event_id"])
    labels, seen = [], set()
    for event_date, name in zip(catalogue["event_date"], catalogue["event_name"], strict=True):
        short = name if len(name) <= 24 else name[:23].rstrip() + "…"
        label = f"{event_date}<br>{html.escape(short)}"
        while label in seen:  # two events with the same date and start of name stay two columns
            label += " "
        seen.add(label)
        labels.append(label)
    cells = dict(zip(zip(events["ticker"], events["event_id"], strict=True), events["abnormal_return"], strict=True))
    z, names = [], []
    for ticker in tickers:
        z.append(
            _rounded([cells.get((ticker, event_id)) for event_id in catalogue["event_id"]], 2, 100.0),
        )
        names.append([html.escape(name) for name in catalogue["event_name"]])
    limit = max((abs(v) for row in z for v in row if v is not None), default=1.0) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=tickers,
            customdata=names,
            colorscale="RdBu",
            zmid=0,
            zmin=-limit,
            zmax=limit,
            xgap=1,
            ygap=1,
            texttemplate="%{z:.1f}",
            textfont={"size": 10},
            colorbar={"title": {"text": "abnormal<br>return, %"}, "ticksuffix": "%"},
            hovertemplate="%{y} · %{customdata}<br>abnormal return %{z:+.2f}%<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", tickangle=-40, tickfont={"size": 10}, side="bottom")
    return _layout(fig, 40 + 26 * len(tickers) + 150, top=20, bottom=150)


def event_study_figure(summary: pd.DataFrame) -> go.Figure:
    """Miners' mean CAR per event (rows) and model (bars), each annotated with its Kolari-Pynnonen t."""
    if summary.empty:
        return _empty_figure("No event-study summary is published yet.")
    catalogue = summary.drop_duplicates("event_id").sort_values(["event_date", "event_id"], ascending=False)
    labels = [
        f"{event_date} {html.escape(name if len(name) <= 40 else name[:39].rstrip() + '…')}"
        for event_date, name in zip(catalogue["event_date"], catalogue["event_name"], strict=True)
    ]
    fig = go.Figure()
    for model, label, colour in EVENT_STUDY_MODELS:
        rows = summary[summary["model"] == model].set_index("event_id").reindex(catalogue["event_id"])
        text = [
            "" if pd.isna(t) else f"t_KP {t:+.2f} · p {p:.2f} · n {int(n)}"
            for t, p, n in zip(rows["t_kp"], rows["p_kp"], rows["n_firms"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=_rounded(rows["mean_car"], 2, 100.0),
                name=label,
                orientation="h",
                marker_color=colour,
                text=text,
                textposition="outside",
                textfont={"size": 10},
                cliponaxis=False,
                hovertemplate=f"%{{y}}<br>{label}: mean CAR %{{x:+.2f}}%<br>%{{text}}<extra></extra>",
            )
        )
    fig.update_xaxes(ticksuffix="%", zeroline=True, zerolinecolor="#999", title_text="mean CAR of the miners")
    fig.update_yaxes(type="category", tickfont={"size": 10})
    fig = _layout(fig, 120 + 44 * len(catalogue), top=40, barmode="group")
    return fig.update_layout(margin_l=330, margin_r=200)  # room for the event names and the t annotations


def value_per_mw_figure(valuation: pd.DataFrame, companies: dict[str, str]) -> go.Figure:
    """EV per energized MW (latest) per company, bars, against VanEck's miner and data-centre marks."""
    rows = valuation.dropna(subset=["ev_per_energized_mw"]) if not valuation.empty else valuation
    if rows.empty:
        return _empty_figure("No company has both an enterprise value and a cited energized MW yet.")
    rows = rows.set_index("ticker").reindex(_company_order(rows["ticker"], companies)).reset_index()
    fig = go.Figure(
        go.Bar(
            x=list(rows["ticker"]),
            y=_rounded(rows["ev_per_energized_mw"], 2, 1e-6),
            customdata=list(zip(rows["as_of_date"], _rounded(rows["energized_mw"], 1), strict=True)),
            name="EV per energized MW (latest)",
            marker_color="#1f77b4",
            hovertemplate="%{x}: $%{y:,.2f}M per MW<br>as of %{customdata[0]} · %{customdata[1]:,.0f} MW"
            "<extra></extra>",
        )
    )
    for value, label, colour in (
        (VANECK_MINER_USD_PER_MW, "VanEck 2024: miners ~$4.5M/MW", "#f7931a"),
        (VANECK_DATA_CENTRE_USD_PER_MW, "VanEck 2024: data centres >$30M/MW", "#2ca02c"),
    ):
        fig.add_hline(
            y=value / 1e6,
            line_dash="dash",
            line_color=colour,
            annotation_text=label,
            annotation_position="top left",
            annotation_font_color=colour,
        )
    fig.update_yaxes(tickprefix="$", ticksuffix="M", rangemode="tozero", title_text="EV per energized MW")
    fig.update_xaxes(type="category")
    return _layout(fig, 420)


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


# ---------------------------------------------------------------------------------------------- page

_QUERIES = {
    "companies": "select ticker, company_name from reference.miners order by not coalesce(is_miner, false), ticker",
    "revenue": """
        select ticker, period_type, cast(period_start as varchar) as period_start,
               cast(period_end as varchar) as period_end,
               cast(self_mining_revenue as double) as self_mining_revenue,
               cast(hosting_revenue as double) as hosting_revenue,
               cast(hpc_ai_revenue as double) as hpc_ai_revenue,
               cast(other_revenue as double) as other_revenue,
               cast(unclassified_revenue as double) as unclassified_revenue
        from marts.mart_revenue_mix
        where ticker in (select ticker from reference.miners)
        order by ticker, period_end
    """,
    "capacity": """
        select ticker, cast(month_end as varchar) as month_end,
               cast(ai_mw_contracted as double) as ai_mw_contracted,
               cast(energized_mw as double) as energized_mw,
               cast(contracted_mw as double) as contracted_mw
        from marts.mart_ai_capacity_exposure
        where ticker in (select ticker from reference.miners)
        order by ticker, month_end
    """,
    "betas": f"""
        select
            ticker, cast(session_date as varchar) as session_date, beta_btc, beta_ai,
            beta_btc_lower_95, beta_btc_upper_95, beta_ai_lower_95, beta_ai_upper_95
        from marts.mart_factor_exposure
        where window_size = {BETA_WINDOW} and ticker in (select ticker from reference.miners)
        order by ticker, session_date
    """,  # noqa: S608 - the constant BETA_WINDOW
    "events": """
        select ticker, event_id, cast(event_date as varchar) as event_date, event_name, abnormal_return
        from marts.mart_event_reactions
        where model = 'market' and ticker in (select ticker from reference.miners)
        order by event_date, event_id, ticker
    """,
    "event_study": f"""
        select event_id, cast(event_date as varchar) as event_date, event_name, model, n_firms, mean_car,
               t_kp, p_kp
        from marts.mart_event_study_summary
        where window_label = '{EVENT_STUDY_WINDOW}'
        order by event_date, event_id, model
    """,  # noqa: S608 - the constant EVENT_STUDY_WINDOW
    "valuation": """
        select ticker, cast(as_of_date as varchar) as as_of_date, cast(energized_mw as double) as energized_mw,
               cast(ev_per_energized_mw as double) as ev_per_energized_mw
        from marts.mart_valuation_per_mw
        where as_of_kind = 'latest' and ticker in (select ticker from reference.miners where is_miner)
        order by ticker
    """,
    "dcf": f"""
        with universe as (
            select * from marts.mart_ai_pivot_scenarios where scenario_set = '{DCF_SCENARIO_SET}'
        ),
        names as (
            select
                string_agg(distinct ticker, ', ' order by ticker) filter (where in_dcf_universe) as tickers,
                string_agg(distinct ticker, ', ' order by ticker) filter (where power_mw is null) as excluded,
                cast(min(power_as_of_date) filter (where in_dcf_universe) as varchar) as power_as_of_min,
                cast(max(power_as_of_date) filter (where in_dcf_universe) as varchar) as power_as_of_max,
                count(distinct ticker) filter (where in_dcf_universe) as n_miners,
                cast(max(valuation_date) as varchar) as valuation_date
            from universe
        )
        select margin, discount_rate, gpu_capex_usd_per_mw, bool_or(is_base_case) as is_base_case,
               sum(power_mw_moved) as power_mw_moved, sum(incremental_annual_revenue_usd) as annual_revenue_usd,
               sum(annual_cash_flow_usd) as annual_cash_flow_usd, sum(capex_usd) as capex_usd,
               sum(npv_usd) as npv_usd, any_value(names.tickers) as tickers,
               any_value(names.excluded) as excluded, any_value(names.power_as_of_min) as power_as_of_min,
               any_value(names.power_as_of_max) as power_as_of_max, any_value(names.n_miners) as n_miners,
               any_value(names.valuation_date) as valuation_date
        from universe cross join names
        where in_dcf_universe
        group by margin, discount_rate, gpu_capex_usd_per_mw
        order by margin, discount_rate, gpu_capex_usd_per_mw
    """,  # noqa: S608 - the constant DCF_SCENARIO_SET
    "dcf_assumptions": """
        select assumption, assumption_value, unit, status,
               regexp_extract(source_url, '^https?://(?:www\\.)?([^/]+)', 1) as source, note
        from reference.vaneck_dcf_assumptions
        order by case status when 'published' then 0 when 'declared_unknown' then 1 else 2 end, assumption,
                 assumption_value
    """,
}

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


def _header(publish: PublishInfo, notices: dict[str, list[str]]) -> str:
    esc = html.escape
    if publish.is_synthetic:
        banner = (
            '<p class="banner synthetic">SYNTHETIC snapshot data: the prices and SEC filings behind these charts '
            "are generated by seeded models (planted betas, event shocks and revenue mix). Real tickers, dates "
            "and contracts; not real market data. Do not use them for decisions.</p>"
        )
    else:
        banner = '<p class="banner real">Published data from the configured live or file sources.</p>'
    as_of = publish.data_as_of.isoformat() if publish.data_as_of else "unknown"
    published = publish.published_at.strftime("%Y-%m-%d %H:%M:%S") + " UTC"
    synthetic = "SYNTHETIC" if publish.is_synthetic else "no"
    nav = " ".join(f'<a href="#{anchor}">{esc(title)}</a>' for anchor, (title, _) in CHARTS.items())
    not_fresh = ""
    if notices:
        links = " · ".join(f'<a href="#{anchor}">{esc(CHARTS[anchor][0])}</a>' for anchor in notices)
        not_fresh = f"\n<dt>Not from this publish</dt><dd>stale or missing: {links} (each section says why)</dd>"
    return f"""<header>
<h1>{esc(TITLE)}</h1>
<p class="caption">Listed bitcoin miners turning their power, sites and cooling into AI/HPC data centres.</p>
{banner}
<dl class="facts">
<dt>Data source</dt><dd>market data: <b>{esc(publish.source)}</b> · SEC filings: <b>{esc(publish.sec_source)}</b>
 · synthetic: <b>{synthetic}</b></dd>
<dt>Data as of</dt><dd><b>{esc(as_of)}</b> (last US session in the data)</dd>
<dt>Published</dt><dd>{esc(published)} · run <code>{esc(publish.run_id)}</code></dd>{not_fresh}
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


def _read(connection: duckdb.DuckDBPyConnection, present: set[str], statuses: dict[str, TableStatus]):
    """Each query's frame, or None with the status of the table that kept it from being read."""
    frames: dict[str, pd.DataFrame | None] = {}
    problems: dict[str, list[TableStatus]] = {}
    for name, sql in _QUERIES.items():
        tables = [_status(table, present, statuses) for table in QUERY_TABLES[name]]
        absent = [status for status in tables if status.status == "missing"]
        frames[name] = None
        if absent:
            problems[name] = absent
            continue
        try:
            frames[name] = _frame(connection, sql)
        except duckdb.Error as error:  # e.g. a stale table carried over from an older schema
            first_line = str(error).splitlines()[0]
            problems[name] = [TableStatus(", ".join(QUERY_TABLES[name]), "unreadable", first_line)]
    return frames, problems


def build_report(connection: duckdb.DuckDBPyConnection) -> Report:
    """The whole report as one HTML page, from a connection to a serving file, with the sections' notices.

    A section whose tables the latest publish left stale shows their last good version and says so and why; a
    section whose tables are missing says which and why instead of its chart. Only a file that is not a
    serving file, or one with nothing published, is refused (ReportError).
    """
    present = _present_tables(connection)
    publish = latest_publish(connection)
    statuses = table_statuses(connection, present)
    frames, problems = _read(connection, present, statuses)
    miners = frames["companies"]
    companies = {} if miners is None else dict(zip(miners["ticker"], miners["company_name"], strict=True))
    draw = {
        "revenue-mix": lambda: revenue_mix_figure(frames["revenue"], companies),
        "contracted-mw": lambda: contracted_mw_figure(frames["capacity"], companies),
        "power": lambda: power_figure(frames["capacity"], companies),
        "betas": lambda: beta_figure(frames["betas"], companies),
        "event-reactions": lambda: event_heatmap_figure(frames["events"], companies),
        "event-study": lambda: event_study_figure(frames["event_study"]),
        "value-per-mw": lambda: value_per_mw_figure(frames["valuation"], companies),
    }
    below = {"value-per-mw": lambda: pivot_scenarios_html(frames["dcf"], frames["dcf_assumptions"])}
    sections, all_notices = [], {}
    plotly_inlined = False
    for anchor, (chart_queries, below_queries) in SECTION_QUERIES.items():
        title, caption = CHARTS[anchor]
        notices: list[str] = []
        for name in (*chart_queries, *below_queries):
            notices += [status.notice() for status in problems.get(name, [])]
        for table in dict.fromkeys(t for name in (*chart_queries, *below_queries) for t in QUERY_TABLES[name]):
            status = _status(table, present, statuses)
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
    body = "\n".join([_header(publish, all_notices), *sections, _footer(publish, statuses)])
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(TITLE)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return Report(page, all_notices)


def render_report(connection: duckdb.DuckDBPyConnection) -> str:
    """The whole report as one HTML page, from a connection to a serving file."""
    return build_report(connection).page
