-- Event study over the miners as a group, its sample: one row per event dated to the day, model, event
-- window and miner (is_miner in the miners seed), saying whether the miner is in the group test of
-- mart_event_study_summary and, if not, why. A miner is in when its model was estimated and it has
-- a CAR and a standardized CAR for the window; otherwise the first reason that applies:
--   'no prices'                           no return at all in int_daily_returns
--   'listed after the event'              its first priced session is after the event session
--   'prices end before the event'         its last priced session is before the event session
--   'listed after the estimation window'  none of the design window's sessions is on or after its
--                                         first priced session
--   'short estimation window (k returns, m needed)'
--                                         fewer than var('event_min_estimation_sessions') estimation
--                                         returns (a listing, or a gap, inside the window)
--   'model not estimated'                 enough returns, but a factor without variance
--   'missing returns in the window'       no abnormal return on some session of the window
--   'no standard error'                   a zero residual variance
-- The events, models and windows are those of int_event_cars.

{%- set min_estimation_sessions = var('event_min_estimation_sessions') %}

with

events as (

    select event_id
    from {{ ref('stg_reference__market_events') }}
    where event_date_precision = 'day'

),

miners as (

    select ticker
    from {{ ref('stg_reference__miners') }}
    where is_miner

),

-- the event session is the same on every ticker's row
event_sessions as (

    select distinct
        fits.event_id,
        fits.event_session_index
    from {{ ref('int_event_model_fits') }} as fits
    inner join events
        on fits.event_id = events.event_id

),

event_windows as (

    select distinct
        cars.event_id,
        cars.model,
        cars.window_label,
        cars.window_start,
        cars.window_end,
        cars.window_length
    from {{ ref('int_event_cars') }} as cars
    inner join events
        on cars.event_id = events.event_id

),

ticker_spans as (

    select
        ticker,
        min(session_index) as first_session_index,
        max(session_index) as last_session_index
    from {{ ref('int_daily_returns') }}
    group by ticker

),

fits as (

    select
        ticker,
        event_id,
        model,
        estimation_sessions,
        estimation_n_obs,
        residual_std,
        beta_market
    from {{ ref('int_event_model_fits') }}

),

cars as (

    select
        ticker,
        event_id,
        model,
        window_label,
        car,
        car_t_stat
    from {{ ref('int_event_cars') }}

),

candidates as (

    select
        event_windows.event_id,
        event_windows.model,
        event_windows.window_label,
        event_windows.window_start,
        event_windows.window_end,
        event_windows.window_length,
        miners.ticker,
        case
            when ticker_spans.ticker is null then 'no prices'
            when ticker_spans.first_session_index > event_sessions.event_session_index
                then 'listed after the event'
            when ticker_spans.last_session_index < event_sessions.event_session_index
                then 'prices end before the event'
            when fits.estimation_sessions = 0 then 'listed after the estimation window'
            when fits.estimation_n_obs < {{ min_estimation_sessions }}
                then 'short estimation window (' || fits.estimation_n_obs || ' returns, '
                || {{ min_estimation_sessions }} || ' needed)'
            when fits.beta_market is null or fits.residual_std is null then 'model not estimated'
            when cars.car is null then 'missing returns in the window'
            when cars.car_t_stat is null then 'no standard error'
        end as exclusion_reason,
        fits.estimation_n_obs,
        fits.residual_std,
        cars.car,
        cars.car_t_stat as scar
    from event_windows
    inner join event_sessions
        on event_windows.event_id = event_sessions.event_id
    cross join miners
    left join ticker_spans
        on miners.ticker = ticker_spans.ticker
    left join fits
        on miners.ticker = fits.ticker
        and event_windows.event_id = fits.event_id
        and event_windows.model = fits.model
    left join cars
        on miners.ticker = cars.ticker
        and event_windows.event_id = cars.event_id
        and event_windows.model = cars.model
        and event_windows.window_label = cars.window_label

),

final as (

    select
        event_id,
        model,
        window_label,
        cast(window_start as integer) as window_start,
        cast(window_end as integer) as window_end,
        cast(window_length as integer) as window_length,
        ticker,
        exclusion_reason is null as is_in_sample,
        exclusion_reason,
        cast(estimation_n_obs as integer) as estimation_n_obs,
        residual_std,
        car,
        scar
    from candidates

)

select * from final
