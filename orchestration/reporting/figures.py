"""The report's charts: plotly figures drawn from the frames of reporting/queries.py. Values are rounded before
they are written (revenue to $10k, MW to 0.1, betas to 0.001, returns to 0.01 pp): the figures stay small next to
the ~4.8 MB of plotly.js."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from orchestration.reporting.queries import BETA_WINDOW

HALVING_DATE = "2024-04-20"
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
EVENT_STUDY_MODELS = (("market", "market model (SPY)", "#1f77b4"), ("market_btc", "market + BTC model", "#f7931a"))
BETA_SERIES = (("beta_btc", "β to BTC", "#f7931a"), ("beta_ai", "β to AI (NVDA)", "#1f77b4"))
# (column, label, colour, dash) of the power chart, in drawing order
POWER_SERIES = (
    ("contracted_mw", "Contracted power (grid MW)", "#7f7f7f", "dash"),
    ("energized_mw", "Energized power (grid MW)", "#f7931a", "solid"),
    ("ai_mw_contracted", "Contracted to AI/HPC (critical-IT MW)", "#2ca02c", "solid"),
)
# the mining-revenue lines per fleet efficiency, most efficient (darkest) first
MINING_SHADES = ("#7a3e00", "#b35900", "#f7931a", "#fbc77a")
_BAND_FILL = {"#f7931a": "rgba(247, 147, 26, 0.18)", "#1f77b4": "rgba(31, 119, 180, 0.18)"}

# VanEck (Sigel and Frankovitz, 16 Aug 2024): miners ~$4.5M per MW of installed capacity, some data-centre stocks

# VanEck (Sigel and Frankovitz, 16 Aug 2024): miners ~$4.5M per MW of installed capacity, some data-centre stocks
# above $30M per MW
VANECK_MINER_USD_PER_MW = 4_500_000
VANECK_DATA_CENTRE_USD_PER_MW = 30_000_000
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


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


def current_name(name: object) -> str:
    """A company's name without its former names (the miners seed's "(fka ...)"); "" when it has none."""
    return name.split(" (")[0] if isinstance(name, str) else ""


def _short_name(ticker: str, companies: dict[str, str], limit: int = 26) -> str:
    name = current_name(companies.get(ticker))
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


def megawatt_figure(network: pd.DataFrame, unit_economics: pd.DataFrame | None) -> go.Figure:
    """Hashprice through the 2024 halving (top); below, what a MW earns a year mining at each fleet efficiency of
    mart_network_economics against what the AI/HPC contracts signed by then pay per grid MW (when the unit
    economics are published: they come from the filings, the network from its own source)."""
    if network.empty:
        return _empty_figure("No bitcoin network data is published yet.")
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=["Hashprice, $ per PH/s per day", "Revenue per MW per year, $M"],
    )
    fig.update_annotations(font_size=12)
    dates = list(network["network_date"])
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=_rounded(network["hashprice_usd_per_phs_day"], 2),
            name="Hashprice",
            line={"color": "#f7931a", "width": 1.5},
            hovertemplate="%{x}: $%{y:,.2f} per PH/s per day<extra></extra>",
        ),
        row=1,
        col=1,
    )
    efficiencies = sorted(
        (int(match.group(1)), column)
        for column in network.columns
        if (match := re.fullmatch(r"gross_usd_per_mw_year_(\d+)jth", column))
    )
    for shade, (efficiency, column) in enumerate(efficiencies):
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=_rounded(network[column], 3, 1e-6),
                name=f"Mining at {efficiency} J/TH (gross)",
                line={"color": MINING_SHADES[shade % len(MINING_SHADES)], "width": 1},
                hovertemplate=f"%{{x}}: $%{{y:,.2f}}M per MW a year at {efficiency} J/TH<extra></extra>",
            ),
            row=2,
            col=1,
        )
    market = (
        pd.DataFrame(columns=["period_end", "market_ai_contract_usd_per_grid_mw_year"])
        if unit_economics is None
        else unit_economics.dropna(subset=["market_ai_contract_usd_per_grid_mw_year"])
        .groupby("period_end", as_index=False)["market_ai_contract_usd_per_grid_mw_year"]
        .max()
        .sort_values("period_end")
    )
    if not market.empty:
        fig.add_trace(
            go.Scatter(
                x=list(market["period_end"]),
                y=_rounded(market["market_ai_contract_usd_per_grid_mw_year"], 3, 1e-6),
                name="AI/HPC contracts signed by then, per grid MW",
                mode="lines+markers",
                line={"color": "#2ca02c", "width": 2, "shape": "hv"},
                hovertemplate="%{x}: $%{y:,.2f}M per grid MW a year<extra></extra>",
            ),
            row=2,
            col=1,
        )
    fig.add_vline(x=HALVING_DATE, line_dash="dash", line_color="#555")
    fig.update_yaxes(rangemode="tozero", tickprefix="$")
    return _layout(fig, 620, top=70)
