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
-- Daily returns are small and centred near zero, so the one-pass form
-- (Sxy - Sx Sy / n) / (n - 1) in DOUBLE loses no meaningful precision here.

{%- set factor_windows = var('factor_windows') %}

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

observations as (

    select
        stock_returns.ticker,
        stock_returns.session_date,
        stock_returns.session_index,
        stock_returns.daily_return as y,
        factor_returns.btc_return as x1,
        factor_returns.ai_return as x2
    from stock_returns
    inner join factor_returns
        on stock_returns.session_index = factor_returns.session_index
    where stock_returns.daily_return is not null
        and factor_returns.btc_return is not null
        and factor_returns.ai_return is not null

),

window_sizes as (

    {% for window_size in factor_windows %}
    select cast({{ window_size }} as integer) as window_size
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

windowed_sums as (

    select
        observations.ticker,
        observations.session_date,
        observations.session_index,
        window_sizes.window_size,
        count(*) over trailing_window as n,
        sum(y) over trailing_window as s_y,
        sum(x1) over trailing_window as s_1,
        sum(x2) over trailing_window as s_2,
        sum(y * y) over trailing_window as s_yy,
        sum(x1 * x1) over trailing_window as s_11,
        sum(x2 * x2) over trailing_window as s_22,
        sum(y * x1) over trailing_window as s_y1,
        sum(y * x2) over trailing_window as s_y2,
        sum(x1 * x2) over trailing_window as s_12
    from observations
    cross join window_sizes
    window trailing_window as (
        partition by observations.ticker, window_sizes.window_size
        order by observations.session_index
        range between window_sizes.window_size - 1 preceding and current row
    )

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
