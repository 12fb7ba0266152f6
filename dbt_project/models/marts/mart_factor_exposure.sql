-- Rolling two-factor exposure of each stock to bitcoin and to AI:
--     daily_return = alpha + beta_btc * btc_return + beta_ai * ai_return + e
-- fitted by OLS over the trailing window_size US sessions, for each window size in
-- var('factor_windows').
--
-- The window is a RANGE over session_index, not a count of rows: a stock with data gaps gets
-- fewer observations (n_obs) instead of a window reaching further back in time. Only sessions
-- where the stock and both factors have a return are used, and a row is emitted only for
-- sessions where the stock has such an observation and the window holds at least
-- window_size * var('factor_window_min_coverage') of them.
--
-- Closed-form solution from windowed sums: with sample (co)variances V_1 = var(btc),
-- V_2 = var(ai), C_12 = cov(btc, ai), C_y1 = cov(y, btc), C_y2 = cov(y, ai), V_y = var(y):
--     beta_btc = (C_y1 V_2 - C_y2 C_12) / (V_1 V_2 - C_12^2)
--     beta_ai  = (C_y2 V_1 - C_y1 C_12) / (V_1 V_2 - C_12^2)
--     alpha    = mean_y - beta_btc mean_1 - beta_ai mean_2
--     r_squared = (beta_btc C_y1 + beta_ai C_y2) / V_y
--
-- How the windowed sums are formed (the costly part: ten sums per stock, session and window size):
-- each is a running total at the session less the same total window_size sessions earlier, so a
-- running total is computed once and serves every window size, instead of one RANGE-framed
-- aggregate per sum and window size over a copy of the observations per window size.
--   * The count and the four sums involving the stock's return are per-stock running sums: the
--     only per-stock windowed aggregates left (the count is a row_number).
--   * The five factor-only sums (btc, ai, their squares and product) depend on the stock only
--     through the sessions it misses: they are running totals over the session calendar, computed
--     once, less the factor terms of the stock's missing sessions, which are few.
--   * "window_size sessions earlier" is a fixed row offset (lag) once each stock has a row for
--     every session of its span: gap sessions get rows carrying the previous observation's totals.
-- Precision: returns are small and centred near zero, and a running total over ten years is some
-- ten to forty window sums, so these differences and the one-pass form
-- (Sxy - Sx Sy / n) / (n - 1) in DOUBLE lose no meaningful precision here (about 1e-13 on the
-- betas; benchmarks/p3_rolling_betas.py checks them against statsmodels RollingOLS to 1e-9).

{%- set factor_windows = var('factor_windows') %}
{#- the terms summed over each window: name and expression in y (stock) and x1, x2 (btc, ai factors) #}
{%- set stock_terms = [('y', 'y'), ('yy', 'y * y'), ('y1', 'y * x1'), ('y2', 'y * x2')] %}
{%- set factor_terms = [('1', 'x1'), ('2', 'x2'), ('11', 'x1 * x1'), ('22', 'x2 * x2'), ('12', 'x1 * x2')] %}
{%- set all_terms = [('n', '1')] + stock_terms + factor_terms %}

with

sessions as (

    select
        session_date,
        session_index
    from {{ ref('int_us_sessions') }}

),

stock_returns as (

    select
        ticker,
        session_date,
        session_index,
        daily_return
    from {{ ref('int_daily_returns') }}
    -- the regressors themselves are excluded; the market and sector factors are kept as
    -- ordinary series whose exposure is informative too
    where factor_role is null
        or factor_role not in ('btc', 'ai')

),

factor_returns as (

    select
        session_index,
        btc_return,
        ai_return
    from {{ ref('int_factor_returns') }}

),

-- sessions on which both factors have a return: the only sessions a regression can use
factor_sessions as (

    select
        session_index,
        btc_return as x1,
        ai_return as x2
    from factor_returns
    where btc_return is not null
        and ai_return is not null

),

observations as (

    select
        stock_returns.ticker,
        stock_returns.session_date,
        stock_returns.session_index,
        stock_returns.daily_return as y,
        factor_sessions.x1,
        factor_sessions.x2
    from stock_returns
    inner join factor_sessions
        on stock_returns.session_index = factor_sessions.session_index
    where stock_returns.daily_return is not null

),

-- running totals of the factor terms over the whole calendar, as of each session
calendar_totals as (

    select
        sessions.session_index,
        count(factor_sessions.session_index) over calendar_order as cum_factor_sessions,
        {%- for name, term in factor_terms %}
        coalesce(sum({{ term }}) over calendar_order, 0) as cum_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from sessions
    left join factor_sessions
        on sessions.session_index = factor_sessions.session_index
    window calendar_order as (
        order by sessions.session_index
        rows between unbounded preceding and current row
    )

),

-- per stock, in session order: the number of observations so far and the running sums of the
-- terms involving its return
stock_totals as (

    select
        ticker,
        session_date,
        session_index,
        y,
        x1,
        x2,
        first_value(session_index) over stock_order as first_session_index,
        lag(session_index) over stock_order as previous_session_index,
        row_number() over stock_order as cum_n,
        {%- for name, term in stock_terms %}
        sum({{ term }}) over stock_order as cum_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from observations
    window stock_order as (
        partition by ticker
        order by session_index
        rows between unbounded preceding and current row
    )

),

-- sessions without the stock's observation between two of its observations
gap_sessions as (

    select
        ticker,
        unnest(generate_series(previous_session_index + 1, session_index - 1)) as session_index
    from stock_totals
    where session_index > previous_session_index + 1

),

-- the stock's missing sessions: gap sessions on which both factors have a return, numbered per
-- stock, with running totals of their factor terms
missing_session_totals as (

    select
        gap_sessions.ticker,
        row_number() over missing_order as missing_number,
        {%- for name, term in factor_terms %}
        sum({{ term }}) over missing_order as cum_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from gap_sessions
    inner join factor_sessions
        on gap_sessions.session_index = factor_sessions.session_index
    window missing_order as (
        partition by gap_sessions.ticker
        order by gap_sessions.session_index
        rows between unbounded preceding and current row
    )

),

-- all running totals per observation. Factor terms: the calendar's totals since the stock's first
-- observation less those of its missing sessions so far, whose number is the factor sessions
-- since the first observation less the observations so far.
running_totals as (

    select
        stock_totals.ticker,
        stock_totals.session_date,
        stock_totals.session_index,
        stock_totals.previous_session_index,
        stock_totals.y,
        stock_totals.x1,
        stock_totals.x2,
        stock_totals.cum_n,
        {%- for name, _ in stock_terms %}
        stock_totals.cum_{{ name }},
        {%- endfor %}
        {%- for name, _ in factor_terms %}
        at_session.cum_{{ name }}
            - coalesce(before_first.cum_{{ name }}, 0)
            - coalesce(missing_so_far.cum_{{ name }}, 0) as cum_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from stock_totals
    inner join calendar_totals as at_session
        on stock_totals.session_index = at_session.session_index
    left join calendar_totals as before_first
        on stock_totals.first_session_index - 1 = before_first.session_index
    left join missing_session_totals as missing_so_far
        on stock_totals.ticker = missing_so_far.ticker
        and missing_so_far.missing_number = at_session.cum_factor_sessions
            - coalesce(before_first.cum_factor_sessions, 0)
            - stock_totals.cum_n

),

-- one row per stock and session of its span, so that a row offset is a session offset: each
-- observation also stands for the gap sessions just before it, which carry the totals as of the
-- previous observation (this observation's totals less its own terms)
dense_running_totals as (

    select
        ticker,
        case when dense_session_index = session_index then session_date end as session_date,
        dense_session_index as session_index,
        dense_session_index = session_index as is_observation,
        {%- for name, term in all_terms %}
        cum_{{ name }} - case when dense_session_index < session_index then {{ term }} else 0 end
            as cum_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            unnest(generate_series(
                coalesce(previous_session_index + 1, session_index), session_index
            )) as dense_session_index
        from running_totals
    ) as observations_and_gaps

),

-- the totals as of window_size sessions earlier (zero before the stock's first observation)
earlier_running_totals as (

    select
        *,
        {%- for window_size in factor_windows %}
        {%- set outer_loop = loop %}
        {%- for name, _ in all_terms %}
        lag(cum_{{ name }}, {{ window_size }}, 0) over stock_sessions as cum_{{ name }}_before_{{ window_size }}
        {{- ',' if not (loop.last and outer_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from dense_running_totals
    window stock_sessions as (partition by ticker order by session_index)
    qualify is_observation

),

windowed_sums as (

    {%- for window_size in factor_windows %}

    select
        ticker,
        session_date,
        session_index,
        cast({{ window_size }} as integer) as window_size,
        cum_n - cum_n_before_{{ window_size }} as n,
        {%- for name, _ in stock_terms + factor_terms %}
        cum_{{ name }} - cum_{{ name }}_before_{{ window_size }} as s_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from earlier_running_totals
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

covariances as (

    select
        ticker,
        session_date,
        session_index,
        window_size,
        n,
        s_y / n as mean_y,
        s_1 / n as mean_1,
        s_2 / n as mean_2,
        -- greatest(): a variance can come out a hair below zero from rounding
        greatest((s_yy - s_y * s_y / n) / (n - 1), 0) as v_y,
        greatest((s_11 - s_1 * s_1 / n) / (n - 1), 0) as v_1,
        greatest((s_22 - s_2 * s_2 / n) / (n - 1), 0) as v_2,
        (s_y1 - s_y * s_1 / n) / (n - 1) as c_y1,
        (s_y2 - s_y * s_2 / n) / (n - 1) as c_y2,
        (s_12 - s_1 * s_2 / n) / (n - 1) as c_12
    from windowed_sums
    -- coverage filter first: it also keeps n - 1 away from zero
    where n >= window_size * {{ var('factor_window_min_coverage') }}
        and n >= 3

),

betas as (

    select
        *,
        (c_y1 * v_2 - c_y2 * c_12) / nullif(v_1 * v_2 - c_12 * c_12, 0) as beta_btc,
        (c_y2 * v_1 - c_y1 * c_12) / nullif(v_1 * v_2 - c_12 * c_12, 0) as beta_ai
    from covariances

),

final as (

    select
        betas.ticker,
        betas.session_date,
        betas.window_size,
        cast(betas.n as integer) as n_obs,
        betas.beta_btc,
        betas.beta_ai,
        betas.mean_y - betas.beta_btc * betas.mean_1 - betas.beta_ai * betas.mean_2 as alpha,
        (betas.beta_btc * betas.c_y1 + betas.beta_ai * betas.c_y2) / nullif(betas.v_y, 0) as r_squared,
        betas.c_y1 / nullif(sqrt(betas.v_y * betas.v_1), 0) as corr_btc,
        betas.c_y2 / nullif(sqrt(betas.v_y * betas.v_2), 0) as corr_ai,
        betas.c_12 / nullif(sqrt(betas.v_1 * betas.v_2), 0) as corr_btc_ai,
        -- first US session of the trailing window, whether or not the stock traded on it
        window_start.session_date as window_start_date
    from betas
    inner join sessions as window_start
        on window_start.session_index = greatest(betas.session_index - betas.window_size + 1, 1)

)

select * from final
