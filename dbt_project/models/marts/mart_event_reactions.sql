-- Event study: how each stock reacted to each market event, under each normal-return model, estimated
-- by OLS over US sessions var('event_estimation_start')..var('event_estimation_end') relative to the
-- event session:
--     model 'market':     daily_return = alpha + beta_market * market_return + e
--     model 'market_btc': daily_return = alpha + beta_market * market_return
--                                        + beta_btc_same_day * btc_return + beta_btc_lag * btc_previous_return + e
-- (bitcoin's same-session and previous-session returns, Dimson 1979: see int_event_model_fits). The
-- estimation, the abnormal returns and the CARs live in int_event_model_fits, int_event_abnormal_returns
-- and int_event_cars; this mart is their per-stock view, one row per ticker, event and model.
--
-- Event session: the seed's first_us_session when given (e.g. news after the US close), else
-- the event date; in both cases snapped to the first US session on or after that date.
-- An event is kept only when that session lies inside the session calendar and inside the
-- ticker's own price history, so listings after the event get no row. Estimation statistics are
-- null, but the row is kept, when fewer than var('event_min_estimation_sessions') estimation
-- sessions are available.
--
-- The t-statistics are each abnormal return (or CAR) over its prediction-error standard error
-- (int_event_cars: residual_std * sqrt(L + L^2 / n + d' S^-1 d), Campbell, Lo & MacKinlay 1997), the
-- standardized CARs of Boehmer, Musumeci & Poulsen (1991): Student-t with residual_degrees_of_freedom
-- under normal errors.
--
-- Short windows are flagged: is_short_estimation_window is true when estimation_sessions (the
-- design window's sessions on or after the ticker's first priced session) is fewer than the design
-- window's (event_estimation_end - event_estimation_start + 1 = 120 sessions by default).

{%- set design_estimation_sessions = var('event_estimation_end') - var('event_estimation_start') + 1 %}

with

fits as (

    select *
    from {{ ref('int_event_model_fits') }}

),

event_day as (

    select
        ticker,
        event_id,
        model,
        daily_return as raw_return,
        abnormal_return
    from {{ ref('int_event_abnormal_returns') }}
    where relative_session = 0

),

cars as (

    select
        ticker,
        event_id,
        model,
        max(case when window_label = '[0,0]' then car_t_stat end) as abnormal_return_t_stat,
        max(case when window_label = '[-1,+1]' then car end) as car_m1_p1,
        max(case when window_label = '[-1,+1]' then car_t_stat end) as car_m1_p1_t_stat,
        max(case when window_label = '[0,+5]' then car end) as car_0_p5,
        max(case when window_label = '[0,+5]' then car_t_stat end) as car_0_p5_t_stat
    from {{ ref('int_event_cars') }}
    group by ticker, event_id, model

),

factor_returns as (

    select
        session_index,
        market_return,
        btc_return,
        btc_previous_return
    from {{ ref('int_factor_returns') }}

),

final as (

    select
        fits.ticker,
        fits.event_id,
        fits.model,
        fits.event_date,
        fits.event_name,
        fits.session_date,
        fits.event_session_index,
        event_day.raw_return,
        factor_returns.market_return,
        case when fits.model = 'market_btc' then factor_returns.btc_return end as btc_return,
        case when fits.model = 'market_btc' then factor_returns.btc_previous_return end as btc_previous_return,
        event_day.abnormal_return,
        cars.abnormal_return_t_stat,
        cars.car_m1_p1,
        cars.car_m1_p1_t_stat,
        cars.car_0_p5,
        cars.car_0_p5_t_stat,
        fits.residual_degrees_of_freedom,
        fits.estimation_n_obs,
        fits.estimation_sessions,
        fits.estimation_sessions < {{ design_estimation_sessions }} as is_short_estimation_window,
        fits.alpha,
        fits.beta_market,
        fits.beta_btc,
        fits.beta_btc_same_day,
        fits.beta_btc_lag,
        fits.estimation_r_squared,
        fits.residual_std
    from fits
    left join event_day
        on fits.ticker = event_day.ticker
        and fits.event_id = event_day.event_id
        and fits.model = event_day.model
    left join cars
        on fits.ticker = cars.ticker
        and fits.event_id = cars.event_id
        and fits.model = cars.model
    left join factor_returns
        on fits.event_session_index = factor_returns.session_index

)

select * from final
