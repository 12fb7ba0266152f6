-- Event study: how each stock reacted to each market event, with a market model
--     daily_return = alpha + beta_market * market_return + e
-- estimated by OLS over US sessions var('event_estimation_start')..var('event_estimation_end')
-- relative to the event session (only sessions where both returns exist).
--
-- Event session: the seed's first_us_session when given (e.g. news after the US close), else
-- the event date; in both cases snapped to the first US session on or after that date.
-- An event is kept only when that session lies inside the session calendar (the session just
-- before it, if any, is earlier than the anchor date) and inside the ticker's own price history
-- (between its first and last priced session), so listings after the event get no row.
-- Estimation statistics are null, but the row is kept, when fewer than
-- var('event_min_estimation_sessions') estimation sessions are available.
--
-- Short windows are flagged: estimation_sessions counts the US sessions of the design window that
-- lie on or after the ticker's first priced session (its listing, or the start of the data; bars of
-- a predecessor never reach int_daily_returns, see seed ticker_listings), and
-- is_short_estimation_window is true when that is fewer than the design window's
-- (event_estimation_end - event_estimation_start + 1 = 120 sessions by default): the estimate, if
-- any, rests on a truncated window.

{%- set estimation_start = var('event_estimation_start') %}
{%- set estimation_end = var('event_estimation_end') %}
{%- set min_estimation_sessions = var('event_min_estimation_sessions') %}
{%- set design_estimation_sessions = estimation_end - estimation_start + 1 %}

with

events as (

    select
        event_id,
        event_date,
        event_name,
        coalesce(first_us_session, event_date) as anchor_date
    from {{ ref('stg_reference__market_events') }}

),

sessions as (

    select
        session_date,
        session_index,
        previous_session_date
    from {{ ref('int_us_sessions') }}

),

factor_returns as (

    select
        session_index,
        market_return
    from {{ ref('int_factor_returns') }}

),

stock_returns as (

    select
        ticker,
        session_index,
        daily_return
    from {{ ref('int_daily_returns') }}
    where factor_role is null
        or factor_role != 'market'

),

event_sessions as (

    select
        events.event_id,
        events.event_date,
        events.event_name,
        sessions.session_date,
        sessions.session_index as event_session_index
    from events
    inner join sessions
        on sessions.session_date >= events.anchor_date
        and (
            sessions.previous_session_date < events.anchor_date
            -- the first session only counts when the anchor is that very day: an earlier anchor
            -- may belong to a session before the data starts
            or (sessions.previous_session_date is null and sessions.session_date = events.anchor_date)
        )

),

ticker_spans as (

    select
        ticker,
        min(session_index) as first_session_index,
        max(session_index) as last_session_index
    from stock_returns
    group by ticker

),

ticker_events as (

    select
        ticker_spans.ticker,
        event_sessions.event_id,
        event_sessions.event_date,
        event_sessions.event_name,
        event_sessions.session_date,
        event_sessions.event_session_index,
        -- sessions of the design window on or after the ticker's first priced session
        greatest(
            0,
            event_sessions.event_session_index + {{ estimation_end }}
            - greatest(event_sessions.event_session_index + {{ estimation_start }}, ticker_spans.first_session_index)
            + 1
        ) as estimation_sessions
    from ticker_spans
    inner join event_sessions
        on event_sessions.event_session_index
            between ticker_spans.first_session_index and ticker_spans.last_session_index

),

-- stock and market return on every session relative to each event
relative_returns as (

    select
        ticker_events.ticker,
        ticker_events.event_id,
        stock_returns.session_index - ticker_events.event_session_index as relative_session,
        stock_returns.daily_return,
        factor_returns.market_return
    from ticker_events
    inner join stock_returns
        on stock_returns.ticker = ticker_events.ticker
        and stock_returns.session_index
            between ticker_events.event_session_index + {{ [estimation_start, -1] | min }}
            and ticker_events.event_session_index + 5
    left join factor_returns
        on stock_returns.session_index = factor_returns.session_index

),

estimation_sums as (

    select
        ticker,
        event_id,
        count(*) as n,
        sum(daily_return) as s_y,
        sum(market_return) as s_m,
        sum(daily_return * daily_return) as s_yy,
        sum(market_return * market_return) as s_mm,
        sum(daily_return * market_return) as s_ym
    from relative_returns
    where relative_session between {{ estimation_start }} and {{ estimation_end }}
        and daily_return is not null
        and market_return is not null
    group by ticker, event_id

),

estimation_moments as (

    select
        ticker,
        event_id,
        n,
        s_y / n as mean_y,
        s_m / n as mean_m,
        -- centred sums of squares; greatest() absorbs rounding just below zero
        greatest(s_yy - s_y * s_y / n, 0) as ss_y,
        greatest(s_mm - s_m * s_m / n, 0) as ss_m,
        s_ym - s_y * s_m / n as sp_ym
    from estimation_sums
    where n >= {{ min_estimation_sessions }}
        -- a line through fewer than 3 points leaves no residual degrees of freedom
        and n >= 3

),

market_model as (

    select
        ticker,
        event_id,
        n,
        mean_y - sp_ym / nullif(ss_m, 0) * mean_m as alpha,
        sp_ym / nullif(ss_m, 0) as beta_market,
        sp_ym * sp_ym / nullif(ss_y * ss_m, 0) as r_squared,
        -- residual sum of squares = ss_y - beta * sp_ym, with n - 2 degrees of freedom
        sqrt(greatest(ss_y - sp_ym * sp_ym / nullif(ss_m, 0), 0) / (n - 2)) as residual_std
    from estimation_moments

),

abnormal_returns as (

    select
        relative_returns.ticker,
        relative_returns.event_id,
        relative_returns.relative_session,
        relative_returns.daily_return,
        relative_returns.market_return,
        relative_returns.daily_return
            - (market_model.alpha + market_model.beta_market * relative_returns.market_return)
            as abnormal_return
    from relative_returns
    left join market_model
        on relative_returns.ticker = market_model.ticker
        and relative_returns.event_id = market_model.event_id
    where relative_returns.relative_session between -1 and 5

),

event_window as (

    select
        ticker,
        event_id,
        max(case when relative_session = 0 then daily_return end) as raw_return,
        max(case when relative_session = 0 then abnormal_return end) as abnormal_return,
        -- cumulative abnormal returns only when every session of the window has one
        case
            when count(case when relative_session between -1 and 1 then abnormal_return end) = 3
                then sum(case when relative_session between -1 and 1 then abnormal_return end)
        end as car_m1_p1,
        case
            when count(case when relative_session between 0 and 5 then abnormal_return end) = 6
                then sum(case when relative_session between 0 and 5 then abnormal_return end)
        end as car_0_p5
    from abnormal_returns
    group by ticker, event_id

),

final as (

    select
        ticker_events.ticker,
        ticker_events.event_id,
        ticker_events.event_date,
        ticker_events.event_name,
        ticker_events.session_date,
        ticker_events.event_session_index,
        event_window.raw_return,
        event_session_market.market_return,
        event_window.abnormal_return,
        event_window.car_m1_p1,
        event_window.car_0_p5,
        cast(coalesce(estimation_sums.n, 0) as integer) as estimation_n_obs,
        market_model.alpha,
        market_model.beta_market,
        market_model.r_squared as estimation_r_squared,
        market_model.residual_std,
        event_window.abnormal_return / nullif(market_model.residual_std, 0) as abnormal_return_t_stat,
        -- appended last: the columns above are the published interface
        cast(ticker_events.estimation_sessions as integer) as estimation_sessions,
        ticker_events.estimation_sessions < {{ design_estimation_sessions }} as is_short_estimation_window
    from ticker_events
    left join event_window
        on ticker_events.ticker = event_window.ticker
        and ticker_events.event_id = event_window.event_id
    left join factor_returns as event_session_market
        on ticker_events.event_session_index = event_session_market.session_index
    left join estimation_sums
        on ticker_events.ticker = estimation_sums.ticker
        and ticker_events.event_id = estimation_sums.event_id
    left join market_model
        on ticker_events.ticker = market_model.ticker
        and ticker_events.event_id = market_model.event_id

)

select * from final
