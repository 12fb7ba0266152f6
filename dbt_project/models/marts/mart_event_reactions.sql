-- Event study: how each stock reacted to each market event, with a market model
--     daily_return = alpha + beta_market * market_return + e
-- estimated by OLS over US sessions var('event_estimation_start')..var('event_estimation_end')
-- relative to the event session (only sessions where both returns exist). The estimation, the
-- abnormal returns and the CARs live in int_event_model_fits, int_event_abnormal_returns and
-- int_event_cars (which also hold the market + BTC model); this mart is their market-model view.
--
-- Event session: the seed's first_us_session when given (e.g. news after the US close), else
-- the event date; in both cases snapped to the first US session on or after that date.
-- An event is kept only when that session lies inside the session calendar and inside the
-- ticker's own price history, so listings after the event get no row. Estimation statistics are
-- null, but the row is kept, when fewer than var('event_min_estimation_sessions') estimation
-- sessions are available.
--
-- Short windows are flagged: is_short_estimation_window is true when estimation_sessions (the
-- design window's sessions on or after the ticker's first priced session) is fewer than the design
-- window's (event_estimation_end - event_estimation_start + 1 = 120 sessions by default).

{%- set design_estimation_sessions = var('event_estimation_end') - var('event_estimation_start') + 1 %}

with

fits as (

    select *
    from {{ ref('int_event_model_fits') }}
    where model = 'market'

),

event_day as (

    select
        ticker,
        event_id,
        daily_return as raw_return,
        abnormal_return
    from {{ ref('int_event_abnormal_returns') }}
    where model = 'market'
        and relative_session = 0

),

cars as (

    select
        ticker,
        event_id,
        max(case when window_label = '[-1,+1]' then car end) as car_m1_p1,
        max(case when window_label = '[-1,+1]' then car_t_stat end) as car_m1_p1_t_stat,
        max(case when window_label = '[0,+5]' then car end) as car_0_p5,
        max(case when window_label = '[0,+5]' then car_t_stat end) as car_0_p5_t_stat
    from {{ ref('int_event_cars') }}
    where model = 'market'
    group by ticker, event_id

),

factor_returns as (

    select
        session_index,
        market_return
    from {{ ref('int_factor_returns') }}

),

final as (

    select
        fits.ticker,
        fits.event_id,
        fits.event_date,
        fits.event_name,
        fits.session_date,
        fits.event_session_index,
        event_day.raw_return,
        factor_returns.market_return,
        event_day.abnormal_return,
        cars.car_m1_p1,
        cars.car_0_p5,
        fits.estimation_n_obs,
        fits.alpha,
        fits.beta_market,
        fits.estimation_r_squared,
        fits.residual_std,
        event_day.abnormal_return / nullif(fits.residual_std, 0) as abnormal_return_t_stat,
        -- appended last: the columns above are the published interface
        fits.estimation_sessions,
        fits.estimation_sessions < {{ design_estimation_sessions }} as is_short_estimation_window,
        cars.car_m1_p1_t_stat,
        cars.car_0_p5_t_stat
    from fits
    left join event_day
        on fits.ticker = event_day.ticker
        and fits.event_id = event_day.event_id
    left join cars
        on fits.ticker = cars.ticker
        and fits.event_id = cars.event_id
    left join factor_returns
        on fits.event_session_index = factor_returns.session_index

)

select * from final
