-- Rolling three-factor exposure of each stock, fitted by OLS over the trailing window_size US
-- sessions, for each window size in var('factor_windows'):
--
--     daily_return = alpha + beta_market * market + b0 * btc + b1 * btc_previous + beta_ai * ai_perp + e
--
-- * market: the market factor's return (factors seed role `market`, SPY).
-- * btc, btc_previous: bitcoin's return on the session and on the session before (Dimson 1979).
--   Yahoo's BTC-USD bar closes at 00:00 UTC, three hours (EST) or four (EDT) after the US close, so a session's
--   bitcoin return misses the hours just before the stock's own return starts (they sit in the
--   previous session's bitcoin bar), and bitcoin's evening moves reach the stock only the next
--   session. Daily bars cannot be realigned to 16:00 New York, so beta_btc is the Dimson sum
--   b0 + b1; beta_btc_same_day and beta_btc_lag are its two parts.
-- * ai_perp: the AI factor's return (role `ai`, NVDA) less its own OLS fit on [1, market] over the
--   same window and observations: the part of NVDA's return the market does not explain, so beta_ai
--   carries no market beta. The design spans the same columns as [1, market, btc, btc_previous, ai],
--   so the fit, the residuals, beta_ai, beta_btc and their standard errors equal that raw
--   regression's; beta_market is the raw market coefficient plus ai_market_beta * beta_ai (the
--   market exposure the stock gets through NVDA), and alpha is the raw intercept plus the AI fit's
--   intercept times beta_ai (ai_perp has mean zero over the window).
--
-- Standard errors: OLS (sigma^2 = RSS / (n_obs - 5)); Newey-West (1987) HAC with Bartlett weights
-- 1 - l / (L + 1), L = floor(4 * (n_obs / 100)^(2/9)) (Newey and West 1994), over pairs of
-- consecutive observations of the ticker (its observation sequence, as a regression on the window's
-- rows sees it) that both lie in the window, with the small-sample factor n_obs / (n_obs - 5); this
-- is statsmodels' OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True}).
-- The 95% bands are beta -+ 1.959963984540054 * the Newey-West standard error (normal quantile).
--
-- The window is a RANGE over session_index, not a count of rows: a stock with data gaps gets
-- fewer observations (n_obs) instead of a window reaching further back in time. Only sessions
-- where the stock and every factor term have a return are used, and a row is emitted only for
-- sessions where the stock has such an observation and the window holds at least
-- window_size * var('factor_window_min_coverage') of them (and more than the 5 coefficients).
--
-- How: per ticker, running totals of the 20 moments of (market, btc, btc_previous, ai, y) over its
-- observations; a window's moments are the totals at its last observation less those at the last
-- observation before the window (an ASOF join). The centred moment matrix is swept (macro
-- ols_sweep_ctes) into the coefficients, inverse(S_xx) and the RSS. The Newey-West sums need each
-- observation's residual under the window's own coefficients, so each window's rows are joined
-- back (one row per window and observation, with the observation's L previous observations on it)
-- and u_t * q_t is summed with its lags, q_t being the row of inverse(X'X) of the coefficient.

{%- set factor_windows = var('factor_windows') %}
{#- regressors (index order of the moment matrix), then y last #}
{%- set variables = ['m', 'b', 'bl', 'a', 'y'] %}
{%- set size = variables | length %}
{%- set n_params = size %}
{%- set max_lag = (4 * ((factor_windows | max) / 100) ** (2 / 9)) | int %}
{%- set z_975 = 1.959963984540054 %}
{#- what identifies a window and where its observations start and end #}
{%- set window_columns = [
    'ticker', 'session_date', 'session_index', 'window_size', 'last_obs_number', 'obs_number_before_window', 'n'
] %}

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
    -- the regressors themselves are excluded; the sector factor is kept as an ordinary series
    -- whose exposure is informative too
    where factor_role is null
        or factor_role not in ('btc', 'ai', 'market')

),

factor_returns as (

    select
        session_index,
        market_return,
        btc_return,
        -- bitcoin's return on the previous US session (null when that session has none)
        lag(btc_return) over (order by session_index) as btc_previous_return,
        lag(session_index) over (order by session_index) as previous_session_index,
        ai_return
    from {{ ref('int_factor_returns') }}

),

-- sessions on which every factor term has a return: the only sessions a regression can use
factor_sessions as (

    select
        session_index,
        market_return as m,
        btc_return as b,
        btc_previous_return as bl,
        ai_return as a
    from factor_returns
    where market_return is not null
        and btc_return is not null
        and btc_previous_return is not null
        and previous_session_index = session_index - 1
        and ai_return is not null

),

observations as (

    select
        stock_returns.ticker,
        stock_returns.session_date,
        stock_returns.session_index,
        factor_sessions.m,
        factor_sessions.b,
        factor_sessions.bl,
        factor_sessions.a,
        stock_returns.daily_return as y
    from stock_returns
    inner join factor_sessions
        on stock_returns.session_index = factor_sessions.session_index
    where stock_returns.daily_return is not null

),

-- per ticker, in session order: the observation number, running totals of the moments, and the
-- values of the max_lag previous observations (for the Newey-West lags)
running_totals as (

    select
        *,
        row_number() over ticker_order as obs_number,
        {%- for i in range(size) %}
        sum({{ variables[i] }}) over ticker_order as cum_{{ i }},
        {%- for j in range(i, size) %}
        sum({{ variables[i] }} * {{ variables[j] }}) over ticker_order as cum_{{ i }}_{{ j }},
        {%- endfor %}
        {%- endfor %}
        {%- for lag_number in range(1, max_lag + 1) %}
        {%- set outer = loop %}
        {%- for name in variables %}
        lag({{ name }}, {{ lag_number }}) over ticker_order as {{ name }}_lag{{ lag_number }}
        {{- ',' if not (loop.last and outer.last) }}
        {%- endfor %}
        {%- endfor %}
    from observations
    window ticker_order as (
        partition by ticker
        order by session_index
        rows between unbounded preceding and current row
    )

),

-- each observation as the end of each window: its totals less those of the ticker's last
-- observation before the window's first session (none: the window starts before its history)
windowed_sums as (

    {%- for window_size in factor_windows %}

    select
        window_end.ticker,
        window_end.session_date,
        window_end.session_index,
        cast({{ window_size }} as integer) as window_size,
        window_end.obs_number as last_obs_number,
        coalesce(before_window.obs_number, 0) as obs_number_before_window,
        window_end.obs_number - coalesce(before_window.obs_number, 0) as n,
        {%- for i in range(size) %}
        window_end.cum_{{ i }} - coalesce(before_window.cum_{{ i }}, 0) as sum_{{ i }},
        {%- for j in range(i, size) %}
        window_end.cum_{{ i }}_{{ j }} - coalesce(before_window.cum_{{ i }}_{{ j }}, 0) as sum_{{ i }}_{{ j }}
        {{- ',' if not (loop.last and i == size - 1) }}
        {%- endfor %}
        {%- endfor %}
    from running_totals as window_end
    asof left join running_totals as before_window
        on window_end.ticker = before_window.ticker
        and window_end.session_index - {{ window_size }} >= before_window.session_index
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

-- centred cross products (sums of products of deviations from the window means)
centred as (

    select
        {%- for column in window_columns %}
        {{ column }},
        {%- endfor %}
        {%- for i in range(size) %}
        sum_{{ i }} / n as mean_{{ i }},
        {%- endfor %}
        -- kept apart from the moment matrix, which the sweep overwrites
        sum_4_4 - sum_4 * sum_4 / n as total_sum_of_squares,
        (sum_1_4 - sum_1 * sum_4 / n) / sqrt(nullif((sum_1_1 - sum_1 * sum_1 / n) * (sum_4_4 - sum_4 * sum_4 / n), 0))
            as corr_btc,
        (sum_3_4 - sum_3 * sum_4 / n) / sqrt(nullif((sum_3_3 - sum_3 * sum_3 / n) * (sum_4_4 - sum_4 * sum_4 / n), 0))
            as corr_ai,
        (sum_1_3 - sum_1 * sum_3 / n) / sqrt(nullif((sum_1_1 - sum_1 * sum_1 / n) * (sum_3_3 - sum_3 * sum_3 / n), 0))
            as corr_btc_ai,
        -- the AI factor's own market beta over the window: ai_perp = ai - ai_intercept - ai_market_beta * market
        (sum_0_3 - sum_0 * sum_3 / n) / nullif(sum_0_0 - sum_0 * sum_0 / n, 0) as ai_market_beta,
        {%- for i in range(size) %}
        {%- set outer = loop %}
        {%- for j in range(i, size) %}
        sum_{{ i }}_{{ j }} - sum_{{ i }} * sum_{{ j }} / n as s_{{ i }}_{{ j }}
        {{- ',' if not (loop.last and outer.last) }}
        {%- endfor %}
        {%- endfor %}
    from windowed_sums
    -- coverage first; more observations than coefficients, so the residual variance is defined
    where n >= window_size * {{ var('factor_window_min_coverage') }}
        and n > {{ n_params }}

),

{{ ols_sweep_ctes('centred', size, size - 1, prefix='s_', cte_prefix='swept_') }},

-- after the sweep: s_i_j = -inverse(S_xx) for regressors i, j; s_i_4 = slope i; s_4_4 = RSS
estimates as (

    select
        {%- for column in window_columns %}
        {{ column }},
        {%- endfor %}
        total_sum_of_squares,
        corr_btc,
        corr_ai,
        corr_btc_ai,
        ai_market_beta,
        {%- for i in range(size - 1) %}
        s_{{ i }}_4 as slope_{{ i }},
        {%- endfor %}
        mean_4
        {%- for i in range(size - 1) %}
        - s_{{ i }}_4 * mean_{{ i }}
        {%- endfor %} as raw_intercept,
        {%- for i in range(size - 1) %}
        mean_{{ i }},
        {%- endfor %}
        greatest(s_4_4, 0) as residual_sum_of_squares,
        greatest(s_4_4, 0) / (n - {{ n_params }}) as residual_variance,
        -- Newey-West lag (Newey and West 1994): floor(4 (n/100)^(2/9))
        cast(floor(4 * pow(n / 100, 2 / 9)) as integer) as hac_lags,
        -- inverse(S_xx) times the coefficient combinations: beta_btc = slope_1 + slope_2 (Dimson),
        -- beta_ai = slope_3; the Newey-West scores are u_t * (d' (x_t - mean x))
        {%- for i in range(size - 1) %}
        -(s_{{ [i, 1] | min }}_{{ [i, 1] | max }} + s_{{ [i, 2] | min }}_{{ [i, 2] | max }}) as d_btc_{{ i }},
        -s_{{ i }}_3 as d_ai_{{ i }},
        {%- endfor %}
        -- variances / residual_variance of the three reported betas (OLS)
        -(s_1_1 + s_2_2 + 2 * s_1_2) as var_unit_btc,
        -s_3_3 as var_unit_ai,
        -(s_0_0 + ai_market_beta * ai_market_beta * s_3_3 + 2 * ai_market_beta * s_0_3) as var_unit_market
    from swept_{{ size - 1 }}

),

-- one row per window and observation in it, with the observation's max_lag previous ones
window_rows as (

    select
        estimates.ticker,
        estimates.session_index,
        estimates.window_size,
        estimates.obs_number_before_window,
        estimates.raw_intercept,
        estimates.hac_lags,
        {%- for i in range(size - 1) %}
        estimates.slope_{{ i }},
        estimates.mean_{{ i }},
        estimates.d_btc_{{ i }},
        estimates.d_ai_{{ i }},
        {%- endfor %}
        unnest(generate_series(estimates.obs_number_before_window + 1, estimates.last_obs_number)) as obs_number
    from estimates

),

-- per window and observation t in it: the residual u and, for beta_btc and beta_ai, the weight
-- q = d' (x - mean x) at t and at each of its max_lag previous observations, with the Bartlett
-- weight of that lag (zero beyond hac_lags or when the earlier observation is before the window)
window_scores as (

    select
        window_rows.ticker,
        window_rows.session_index,
        window_rows.window_size,
        {%- for lag_number in range(max_lag + 1) %}
        {%- set suffix = '' if lag_number == 0 else '_lag' ~ lag_number %}
        {%- if lag_number > 0 %}
        case
            when {{ lag_number }} <= window_rows.hac_lags
                and observation.obs_number - {{ lag_number }} > window_rows.obs_number_before_window
                then 2 * (1 - {{ lag_number }} / (window_rows.hac_lags + 1))
            else 0
        end as kernel_{{ lag_number }},
        {%- endif %}
        {{ window_residual(variables, suffix) }} as u_{{ lag_number }},
        {{ window_score_weight(variables, 'btc', suffix) }} as q_btc_{{ lag_number }},
        {{ window_score_weight(variables, 'ai', suffix) }} as q_ai_{{ lag_number }}{{ ',' if not loop.last }}
        {%- endfor %}
    from window_rows
    inner join running_totals as observation
        on window_rows.ticker = observation.ticker
        and window_rows.obs_number = observation.obs_number

),

-- Newey-West sums: score_t * (score_t + sum_l kernel_l * score_{t-l}), score = u * q
newey_west as (

    select
        ticker,
        session_index,
        window_size,
        {%- for name in ['btc', 'ai'] %}
        sum(
            u_0 * q_{{ name }}_0 * (
                u_0 * q_{{ name }}_0
                {%- for lag_number in range(1, max_lag + 1) %}
                + coalesce(kernel_{{ lag_number }} * u_{{ lag_number }} * q_{{ name }}_{{ lag_number }}, 0)
                {%- endfor %}
            )
        ) as meat_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from window_scores
    group by ticker, session_index, window_size

),

betas as (

    select
        estimates.ticker,
        estimates.session_date,
        estimates.session_index,
        estimates.window_size,
        estimates.n,
        estimates.hac_lags,
        estimates.slope_0 + estimates.ai_market_beta * estimates.slope_3 as beta_market,
        estimates.slope_1 + estimates.slope_2 as beta_btc,
        estimates.slope_3 as beta_ai,
        -- intercept with ai_perp (mean zero over the window) in place of the AI factor
        estimates.raw_intercept
        + estimates.slope_3 * (estimates.mean_3 - estimates.ai_market_beta * estimates.mean_0) as alpha,
        1 - estimates.residual_sum_of_squares / nullif(estimates.total_sum_of_squares, 0) as r_squared,
        sqrt(greatest(estimates.residual_variance * estimates.var_unit_market, 0)) as se_beta_market,
        sqrt(greatest(estimates.residual_variance * estimates.var_unit_btc, 0)) as se_beta_btc,
        sqrt(greatest(estimates.residual_variance * estimates.var_unit_ai, 0)) as se_beta_ai,
        sqrt(greatest(newey_west.meat_btc * estimates.n / (estimates.n - {{ n_params }}), 0)) as nw_se_beta_btc,
        sqrt(greatest(newey_west.meat_ai * estimates.n / (estimates.n - {{ n_params }}), 0)) as nw_se_beta_ai,
        estimates.slope_1 as beta_btc_same_day,
        estimates.slope_2 as beta_btc_lag,
        estimates.ai_market_beta,
        estimates.corr_btc,
        estimates.corr_ai,
        estimates.corr_btc_ai
    from estimates
    inner join newey_west using (ticker, session_index, window_size)

),

final as (

    select
        betas.ticker,
        betas.session_date,
        betas.window_size,
        cast(betas.n as integer) as n_obs,
        betas.beta_market,
        betas.beta_btc,
        betas.beta_ai,
        betas.alpha,
        betas.r_squared,
        betas.se_beta_market,
        betas.se_beta_btc,
        betas.se_beta_ai,
        betas.nw_se_beta_btc,
        betas.nw_se_beta_ai,
        betas.hac_lags,
        betas.beta_btc - {{ z_975 }} * betas.nw_se_beta_btc as beta_btc_lower_95,
        betas.beta_btc + {{ z_975 }} * betas.nw_se_beta_btc as beta_btc_upper_95,
        betas.beta_ai - {{ z_975 }} * betas.nw_se_beta_ai as beta_ai_lower_95,
        betas.beta_ai + {{ z_975 }} * betas.nw_se_beta_ai as beta_ai_upper_95,
        betas.beta_btc_same_day,
        betas.beta_btc_lag,
        betas.ai_market_beta,
        betas.corr_btc,
        betas.corr_ai,
        betas.corr_btc_ai,
        -- first US session of the trailing window, whether or not the stock traded on it
        window_start.session_date as window_start_date
    from betas
    inner join sessions as window_start
        on window_start.session_index = greatest(betas.session_index - betas.window_size + 1, 1)

)

select * from final
