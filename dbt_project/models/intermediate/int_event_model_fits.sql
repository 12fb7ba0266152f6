-- Event study, step 1: the normal-return models, per stock, event and model, estimated by OLS over US
-- sessions var('event_estimation_start')..var('event_estimation_end') relative to the event session:
--     model 'market':     daily_return = alpha + beta_market * market_return + e
--     model 'market_btc': daily_return = alpha + beta_market * market_return
--                                        + beta_btc_same_day * btc_return + beta_btc_lag * btc_previous_return + e
-- btc_previous_return is bitcoin's return on the previous US session (Dimson 1979, as in
-- mart_factor_exposure): Yahoo's BTC-USD bar closes at 00:00 UTC, three (EST) or four (EDT) hours after
-- the US close, so part of a session's news sits in the previous session's bitcoin bar and bitcoin's
-- evening reaches the stock a session late. beta_btc = beta_btc_same_day + beta_btc_lag.
-- Each model uses the estimation sessions where all of its returns exist. The centred moment matrix
-- of (market, btc, btc_previous, y) is swept (macro ols_sweep_ctes): the market model on its first
-- pivot, the market_btc model on all three. inverse(S_xx), the inverse of the factors' centred
-- cross-products, and the factor means are kept: the prediction-error variance of a cumulative
-- abnormal return needs them (int_event_cars).
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
--
-- Incremental, keyed by event (macros/incremental_by_session.sql): a build recomputes the events whose span holds
-- a session whose returns were rebuilt since its last build, the events inside a gap after which a ticker's
-- prices resume, and the events it has no row of.

{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ add_rebuilt_at_if_missing() }}",
) }}

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
        btc_return,
        btc_previous_return
    from {{ ref('int_factor_returns') }}

),

stock_returns as (

    select
        ticker,
        factor_role,
        session_index,
        daily_return
    from {{ ref('int_daily_returns') }}
    where factor_role is null
        or factor_role != 'market'

),

-- number of estimated coefficients, intercept included. Bitcoin itself gets no market_btc model (a
-- regression on its own return), as the market factor gets none at all.
models as (

    select
        'market' as model,
        2 as n_params
    union all
    select
        'market_btc' as model,
        4 as n_params

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

{% if is_incremental() %}

-- sessions whose stock or factor returns were rebuilt since this model's last build
changed_sessions as (

    select session_index
    from {{ ref('int_daily_returns') }}
    where rebuilt_at > {{ last_rebuilt_at() }}
    union
    select session_index
    from {{ ref('int_factor_returns') }}
    where rebuilt_at > {{ last_rebuilt_at() }}

),

-- per ticker whose returns were rebuilt: its last session kept as it was and its first rebuilt one. Events
-- between the two (a ticker whose prices resume after a gap) now lie inside its price history.
resumed_tickers as (

    select
        ticker,
        max(case when rebuilt_at <= {{ last_rebuilt_at() }} then session_index end) as last_kept_session_index,
        min(case when rebuilt_at > {{ last_rebuilt_at() }} then session_index end) as first_rebuilt_session_index
    from {{ ref('int_daily_returns') }}
    group by ticker

),

built_event_sessions as (

    select event_sessions.*
    from event_sessions
    where
        exists (
            select 1
            from changed_sessions
            where changed_sessions.session_index
                between event_sessions.event_session_index + {{ event_span_start() }}
                and event_sessions.event_session_index + {{ event_span_end() }}
        )
        or exists (
            select 1
            from resumed_tickers
            where event_sessions.event_session_index > resumed_tickers.last_kept_session_index
                and event_sessions.event_session_index < resumed_tickers.first_rebuilt_session_index
        )
        or event_sessions.event_id not in (select built.event_id from {{ this }} as built)

),

{% else %}

built_event_sessions as (

    select * from event_sessions

),

{% endif %}

ticker_spans as (

    select
        ticker,
        any_value(factor_role) as factor_role,
        min(session_index) as first_session_index,
        max(session_index) as last_session_index
    from stock_returns
    group by ticker

),

ticker_events as (

    select
        ticker_spans.ticker,
        ticker_spans.factor_role,
        built_event_sessions.event_id,
        built_event_sessions.event_date,
        built_event_sessions.event_name,
        built_event_sessions.session_date,
        built_event_sessions.event_session_index,
        -- sessions of the design window on or after the ticker's first priced session
        greatest(
            0,
            built_event_sessions.event_session_index + {{ estimation_end }}
            - greatest(
                built_event_sessions.event_session_index + {{ estimation_start }}, ticker_spans.first_session_index
            )
            + 1
        ) as estimation_sessions
    from ticker_spans
    inner join built_event_sessions
        on built_event_sessions.event_session_index
            between ticker_spans.first_session_index and ticker_spans.last_session_index

),

-- the estimation sample of each model: y, market and (market_btc model only) both bitcoin returns
-- present; the market model's bitcoin columns are 0 and never swept
estimation_returns as (

    select
        ticker_events.ticker,
        ticker_events.event_id,
        models.model,
        models.n_params,
        factor_returns.market_return as x0,
        case when models.model = 'market_btc' then factor_returns.btc_return else 0 end as x1,
        case when models.model = 'market_btc' then factor_returns.btc_previous_return else 0 end as x2,
        stock_returns.daily_return as x3
    from ticker_events
    inner join stock_returns
        on ticker_events.ticker = stock_returns.ticker
        and stock_returns.session_index
            between ticker_events.event_session_index + {{ estimation_start }}
            and ticker_events.event_session_index + {{ estimation_end }}
    inner join factor_returns
        on stock_returns.session_index = factor_returns.session_index
    inner join models
        on ticker_events.factor_role is distinct from 'btc'
        or models.model = 'market'
    where stock_returns.daily_return is not null
        and factor_returns.market_return is not null
        and (
            models.model = 'market'
            or (factor_returns.btc_return is not null and factor_returns.btc_previous_return is not null)
        )

),

-- means and centred cross-products s_i_j of (market, btc, btc_previous, y), indices 0..3
centred as (

    select
        ticker,
        event_id,
        model,
        any_value(n_params) as n_params,
        count(*) as n,
        {%- for i in range(4) %}
        avg(x{{ i }}) as mean_{{ i }},
        {%- endfor %}
        {%- for i in range(4) %}
        {%- for j in range(i, 4) %}
        {%- if i == j %}
        -- greatest() absorbs rounding just below zero
        greatest(sum(x{{ i }} * x{{ i }}) - sum(x{{ i }}) * sum(x{{ i }}) / count(*), 0) as s_{{ i }}_{{ i }},
        {%- else %}
        sum(x{{ i }} * x{{ j }}) - sum(x{{ i }}) * sum(x{{ j }}) / count(*) as s_{{ i }}_{{ j }},
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
        greatest(sum(x3 * x3) - sum(x3) * sum(x3) / count(*), 0) as ss_y
    from estimation_returns
    group by ticker, event_id, model

),

{{ ols_sweep_ctes('centred', 4, 3, prefix='s_', cte_prefix='swept_') }},

-- after the first pivot the market model is solved (its bitcoin pivots are zero and would give nulls);
-- after the third, the market_btc model. In the x block, -inverse(S_xx); in the y column, the slopes;
-- in the y-y cell, the residual sum of squares. The market model's bitcoin cells are not its own.
solved as (

    select *
    from swept_1
    where model = 'market'
    union all
    select *
    from swept_3
    where model = 'market_btc'

),

fits as (

    select
        ticker,
        event_id,
        model,
        n,
        n_params,
        mean_0,
        mean_1,
        mean_2,
        s_0_3 as beta_market,
        {%- for name, cell in [('beta_btc_same_day', 's_1_3'), ('beta_btc_lag', 's_2_3')] %}
        case when model = 'market_btc' then {{ cell }} end as {{ name }},
        {%- endfor %}
        -s_0_0 as inverse_0_0,
        {%- for i, j in [(0, 1), (0, 2), (1, 1), (1, 2), (2, 2)] %}
        case when model = 'market_btc' then -s_{{ i }}_{{ j }} end as inverse_{{ i }}_{{ j }},
        {%- endfor %}
        mean_3
        - s_0_3 * mean_0
        - case when model = 'market_btc' then s_1_3 * mean_1 + s_2_3 * mean_2 else 0 end as alpha,
        -- explained over total centred sum of squares
        1 - greatest(s_3_3, 0) / nullif(ss_y, 0) as r_squared,
        sqrt(greatest(s_3_3, 0) / (n - n_params)) as residual_std
    from solved
    where n >= {{ min_estimation_sessions }}
        -- at least one residual degree of freedom
        and n > n_params
        and s_0_3 is not null
        and (model = 'market' or (s_1_3 is not null and s_2_3 is not null))

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
        cast(coalesce(sample_sizes.n, 0) as integer) as estimation_n_obs,
        fits.alpha,
        fits.beta_market,
        fits.beta_btc_same_day + fits.beta_btc_lag as beta_btc,
        fits.beta_btc_same_day,
        fits.beta_btc_lag,
        fits.r_squared as estimation_r_squared,
        fits.residual_std,
        cast(fits.n - models.n_params as integer) as residual_degrees_of_freedom,
        fits.mean_0 as estimation_mean_market_return,
        case when models.model = 'market_btc' then fits.mean_1 end as estimation_mean_btc_return,
        case when models.model = 'market_btc' then fits.mean_2 end as estimation_mean_btc_previous_return,
        fits.inverse_0_0 as inverse_sxx_market_market,
        fits.inverse_0_1 as inverse_sxx_market_btc,
        fits.inverse_0_2 as inverse_sxx_market_btc_previous,
        fits.inverse_1_1 as inverse_sxx_btc_btc,
        fits.inverse_1_2 as inverse_sxx_btc_btc_previous,
        fits.inverse_2_2 as inverse_sxx_btc_previous_btc_previous,
        {{ rebuilt_at() }} as rebuilt_at
    from ticker_events
    inner join models
        on ticker_events.factor_role is distinct from 'btc'
        or models.model = 'market'
    left join centred as sample_sizes
        on ticker_events.ticker = sample_sizes.ticker
        and ticker_events.event_id = sample_sizes.event_id
        and models.model = sample_sizes.model
    left join fits
        on ticker_events.ticker = fits.ticker
        and ticker_events.event_id = fits.event_id
        and models.model = fits.model

)

select * from final
