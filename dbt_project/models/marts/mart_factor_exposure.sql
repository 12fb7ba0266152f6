-- Rolling three-factor exposure of each stock over the trailing window_size US sessions, for each window size
-- in var('factor_windows'):
--
--     daily_return = alpha + beta_market * market + b0 * btc + b1 * btc_previous + beta_ai * ai_perp + e
--
-- The fit (coefficients, OLS and Newey-West standard errors, the window's n_obs and lag) is
-- int_factor_exposure_fits, whose header gives the definitions: market (SPY), bitcoin's return on the session
-- and the session before (Dimson 1979: beta_btc = b0 + b1), the AI factor (NVDA) orthogonalised to
-- [1, market] over the same window, a RANGE window over session_index, Newey-West (1987) with Bartlett weights
-- and L = floor(4 * (n_obs / 100)^(2/9)); each number is statsmodels' OLS / cov_type="HAC" on the window's
-- rows. This model adds the 95% bands, beta -+ 1.959963984540054 * the Newey-West standard error (normal
-- quantile), and the window's first US session.

{%- set z_975 = 1.959963984540054 %}

with

sessions as (

    select
        session_date,
        session_index
    from {{ ref('int_us_sessions') }}

),

fits as (

    select * from {{ ref('int_factor_exposure_fits') }}

),

final as (

    select
        fits.ticker,
        fits.session_date,
        cast(fits.window_size as integer) as window_size,
        cast(fits.n_obs as integer) as n_obs,
        fits.beta_market,
        fits.beta_btc,
        fits.beta_ai,
        fits.alpha,
        fits.r_squared,
        fits.se_beta_market,
        fits.se_beta_btc,
        fits.se_beta_ai,
        fits.nw_se_beta_btc,
        fits.nw_se_beta_ai,
        cast(fits.hac_lags as integer) as hac_lags,
        fits.beta_btc - {{ z_975 }} * fits.nw_se_beta_btc as beta_btc_lower_95,
        fits.beta_btc + {{ z_975 }} * fits.nw_se_beta_btc as beta_btc_upper_95,
        fits.beta_ai - {{ z_975 }} * fits.nw_se_beta_ai as beta_ai_lower_95,
        fits.beta_ai + {{ z_975 }} * fits.nw_se_beta_ai as beta_ai_upper_95,
        fits.beta_btc_same_day,
        fits.beta_btc_lag,
        fits.ai_market_beta,
        fits.corr_btc,
        fits.corr_ai,
        fits.corr_btc_ai,
        -- first US session of the trailing window, whether or not the stock traded on it
        window_start.session_date as window_start_date
    from fits
    inner join sessions as window_start
        on window_start.session_index = greatest(fits.session_index - fits.window_size + 1, 1)

)

select * from final
