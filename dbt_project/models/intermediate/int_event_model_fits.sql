-- Event study, step 1: the normal-return models, per stock, event and model, estimated by OLS over US
-- sessions var('event_estimation_start')..var('event_estimation_end') relative to the event session:
--     model 'market':     daily_return = alpha + beta_market * market_return + e
--     model 'market_btc': daily_return = alpha + beta_market * market_return + beta_btc * btc_return + e
-- Each model uses the estimation sessions where all of its returns exist. The fit is written with
-- centred sums (the closed form of OLS with an intercept); the centred factor moments are kept, since
-- the prediction-error variance of a cumulative abnormal return needs them (int_event_cars).
--
-- Event session: the seed's first_us_session when given (e.g. news after the US close), else the
-- event date; in both cases snapped to the first US session on or after that date. An event is kept
-- only when that session lies inside the session calendar (the session just before it, if any, is
-- earlier than the anchor date) and inside the ticker's own price history (between its first and last
-- priced session), so listings after the event get no row. Fit columns are null, but the row is kept,
-- when fewer than var('event_min_estimation_sessions') estimation sessions are available.
--
-- estimation_sessions counts the US sessions of the design window that lie on or after the ticker's
-- first priced session (its listing, or the start of the data; bars of a predecessor never reach
-- int_daily_returns, see seed ticker_listings).

{%- set estimation_start = var('event_estimation_start') %}
{%- set estimation_end = var('event_estimation_end') %}
{%- set min_estimation_sessions = var('event_min_estimation_sessions') %}

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
        market_return,
        btc_return
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

-- number of estimated coefficients, intercept included
models as (

    select
        'market' as model,
        2 as n_params
    union all
    select
        'market_btc' as model,
        3 as n_params

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

-- the estimation sample of each model: y, market and (market_btc model only) btc returns all present;
-- the market model's btc column is 0, so its btc sums vanish
estimation_returns as (

    select
        ticker_events.ticker,
        ticker_events.event_id,
        models.model,
        stock_returns.daily_return as y,
        factor_returns.market_return as m,
        case when models.model = 'market_btc' then factor_returns.btc_return else 0 end as b
    from ticker_events
    inner join stock_returns
        on ticker_events.ticker = stock_returns.ticker
        and stock_returns.session_index
            between ticker_events.event_session_index + {{ estimation_start }}
            and ticker_events.event_session_index + {{ estimation_end }}
    inner join factor_returns
        on stock_returns.session_index = factor_returns.session_index
    cross join models
    where stock_returns.daily_return is not null
        and factor_returns.market_return is not null
        and (models.model = 'market' or factor_returns.btc_return is not null)

),

estimation_sums as (

    select
        ticker,
        event_id,
        model,
        count(*) as n,
        sum(y) as s_y,
        sum(m) as s_m,
        sum(b) as s_b,
        sum(y * y) as s_yy,
        sum(m * m) as s_mm,
        sum(b * b) as s_bb,
        sum(y * m) as s_ym,
        sum(y * b) as s_yb,
        sum(m * b) as s_mb
    from estimation_returns
    group by ticker, event_id, model

),

estimation_moments as (

    select
        estimation_sums.ticker,
        estimation_sums.event_id,
        estimation_sums.model,
        estimation_sums.n,
        models.n_params,
        estimation_sums.s_y / estimation_sums.n as mean_y,
        estimation_sums.s_m / estimation_sums.n as mean_m,
        estimation_sums.s_b / estimation_sums.n as mean_b,
        -- centred sums of squares; greatest() absorbs rounding just below zero
        greatest(estimation_sums.s_yy - estimation_sums.s_y * estimation_sums.s_y / estimation_sums.n, 0) as ss_y,
        greatest(estimation_sums.s_mm - estimation_sums.s_m * estimation_sums.s_m / estimation_sums.n, 0) as ss_m,
        greatest(estimation_sums.s_bb - estimation_sums.s_b * estimation_sums.s_b / estimation_sums.n, 0) as ss_b,
        estimation_sums.s_ym - estimation_sums.s_y * estimation_sums.s_m / estimation_sums.n as sp_ym,
        estimation_sums.s_yb - estimation_sums.s_y * estimation_sums.s_b / estimation_sums.n as sp_yb,
        estimation_sums.s_mb - estimation_sums.s_m * estimation_sums.s_b / estimation_sums.n as sp_mb
    from estimation_sums
    inner join models
        on estimation_sums.model = models.model
    where estimation_sums.n >= {{ min_estimation_sessions }}
        -- at least one residual degree of freedom
        and estimation_sums.n > models.n_params

),

slopes as (

    select
        *,
        -- the 2x2 normal equations of the two slopes (Cramer's rule); the market model has one slope
        case
            when model = 'market' then sp_ym / nullif(ss_m, 0)
            else (ss_b * sp_ym - sp_mb * sp_yb) / nullif(ss_m * ss_b - sp_mb * sp_mb, 0)
        end as beta_market,
        case
            when model = 'market_btc' then (ss_m * sp_yb - sp_mb * sp_ym) / nullif(ss_m * ss_b - sp_mb * sp_mb, 0)
        end as beta_btc
    from estimation_moments

),

fits as (

    select
        ticker,
        event_id,
        model,
        n,
        mean_m,
        mean_b,
        ss_m,
        ss_b,
        sp_mb,
        beta_market,
        beta_btc,
        mean_y - beta_market * mean_m - coalesce(beta_btc, 0) * mean_b as alpha,
        -- explained over total centred sum of squares
        (beta_market * sp_ym + coalesce(beta_btc * sp_yb, 0)) / nullif(ss_y, 0) as r_squared,
        -- residual sum of squares = ss_y - explained, with n - n_params degrees of freedom
        sqrt(greatest(ss_y - beta_market * sp_ym - coalesce(beta_btc * sp_yb, 0), 0) / (n - n_params))
            as residual_std
    from slopes
    where beta_market is not null

),

final as (

    select
        ticker_events.ticker,
        ticker_events.event_id,
        models.model,
        ticker_events.event_date,
        ticker_events.event_name,
        ticker_events.session_date,
        ticker_events.event_session_index,
        cast(ticker_events.estimation_sessions as integer) as estimation_sessions,
        cast(coalesce(estimation_sums.n, 0) as integer) as estimation_n_obs,
        fits.alpha,
        fits.beta_market,
        fits.beta_btc,
        fits.r_squared as estimation_r_squared,
        fits.residual_std,
        cast(fits.n - models.n_params as integer) as residual_degrees_of_freedom,
        fits.mean_m as estimation_mean_market_return,
        case when models.model = 'market_btc' then fits.mean_b end as estimation_mean_btc_return,
        fits.ss_m as estimation_ss_market_return,
        case when models.model = 'market_btc' then fits.ss_b end as estimation_ss_btc_return,
        case when models.model = 'market_btc' then fits.sp_mb end as estimation_sp_market_btc_return
    from ticker_events
    cross join models
    left join estimation_sums
        on ticker_events.ticker = estimation_sums.ticker
        and ticker_events.event_id = estimation_sums.event_id
        and models.model = estimation_sums.model
    left join fits
        on ticker_events.ticker = fits.ticker
        and ticker_events.event_id = fits.event_id
        and models.model = fits.model

)

select * from final
