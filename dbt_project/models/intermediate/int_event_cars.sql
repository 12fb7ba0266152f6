-- Event study, step 3: cumulative abnormal returns per stock, event, model and event window
-- ([0,0], [-1,+1], [0,+5] in sessions relative to the event session), each with its standard error
-- and t-statistic (the standardized CAR of Boehmer, Musumeci & Poulsen 1991).
--
-- The CAR over a window of L sessions is the sum of its abnormal returns, kept only when all L exist.
-- Its variance under the null is the prediction-error variance of OLS (Campbell, Lo & MacKinlay 1997,
-- ch. 4), not just L * sigma^2, because alpha and the betas are estimates:
--     var(CAR) = sigma^2 * (L + L^2 / n + d' S^-1 d)
-- with sigma the residual standard deviation, n the estimation observations, d the sum over the window
-- of each factor return (market; for market_btc also bitcoin's same-session and previous-session
-- returns) minus its estimation mean, and S^-1 the inverse of the factors' centred cross-products over
-- the estimation window (int_event_model_fits; for the market model 1 / ss_market). car_t_stat =
-- CAR / sqrt(var(CAR)) is Student-t with residual_degrees_of_freedom under normal errors.
--
-- Incremental, keyed by event (macros/incremental_by_session.sql): the events its parents rebuilt since its last
-- build.

{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ add_rebuilt_at_if_missing() }}",
) }}

{%- set parents = [ref('int_event_model_fits'), ref('int_event_abnormal_returns')] %}

with

windows as (

    select
        '[0,0]' as window_label,
        0 as window_start,
        0 as window_end
    union all
    select
        '[-1,+1]' as window_label,
        -1 as window_start,
        1 as window_end
    union all
    select
        '[0,+5]' as window_label,
        0 as window_start,
        5 as window_end

),

fits as (

    select
        ticker,
        event_id,
        model,
        estimation_n_obs,
        residual_std,
        residual_degrees_of_freedom,
        estimation_mean_market_return,
        estimation_mean_btc_return,
        estimation_mean_btc_previous_return,
        inverse_sxx_market_market,
        inverse_sxx_market_btc,
        inverse_sxx_market_btc_previous,
        inverse_sxx_btc_btc,
        inverse_sxx_btc_btc_previous,
        inverse_sxx_btc_previous_btc_previous
    from {{ ref('int_event_model_fits') }}
    {%- if is_incremental() %}
    where event_id in {{ events_rebuilt_in(parents) }}
    {%- endif %}

),

abnormal_returns as (

    select
        ticker,
        event_id,
        model,
        relative_session,
        abnormal_return,
        market_return,
        btc_return,
        btc_previous_return
    from {{ ref('int_event_abnormal_returns') }}
    where relative_session between -1 and {{ event_span_end() }}

),

window_sums as (

    select
        fits.ticker,
        fits.event_id,
        fits.model,
        windows.window_label,
        count(abnormal_returns.abnormal_return) as n_abnormal_returns,
        sum(abnormal_returns.abnormal_return) as sum_abnormal_return,
        sum(abnormal_returns.market_return - fits.estimation_mean_market_return) as d_market,
        sum(abnormal_returns.btc_return - fits.estimation_mean_btc_return) as d_btc,
        sum(abnormal_returns.btc_previous_return - fits.estimation_mean_btc_previous_return) as d_btc_previous
    from fits
    cross join windows
    inner join abnormal_returns
        on fits.ticker = abnormal_returns.ticker
        and fits.event_id = abnormal_returns.event_id
        and fits.model = abnormal_returns.model
        and abnormal_returns.relative_session between windows.window_start and windows.window_end
    where abnormal_returns.abnormal_return is not null
    group by fits.ticker, fits.event_id, fits.model, windows.window_label

),

cars as (

    select
        fits.ticker,
        fits.event_id,
        fits.model,
        windows.window_label,
        windows.window_start,
        windows.window_end,
        windows.window_end - windows.window_start + 1 as window_length,
        fits.residual_std,
        fits.residual_degrees_of_freedom,
        coalesce(window_sums.n_abnormal_returns, 0) as n_abnormal_returns,
        -- cumulative abnormal returns only when every session of the window has one
        case
            when window_sums.n_abnormal_returns = windows.window_end - windows.window_start + 1
                then window_sums.sum_abnormal_return
        end as car,
        case
            when window_sums.n_abnormal_returns = windows.window_end - windows.window_start + 1
                then
                    (windows.window_end - windows.window_start + 1)
                    + pow(windows.window_end - windows.window_start + 1, 2) / fits.estimation_n_obs
                    -- d' S^-1 d
                    + fits.inverse_sxx_market_market * pow(window_sums.d_market, 2)
                    + case
                        when fits.model = 'market' then 0
                        else
                            2 * fits.inverse_sxx_market_btc * window_sums.d_market * window_sums.d_btc
                            + 2 * fits.inverse_sxx_market_btc_previous
                            * window_sums.d_market * window_sums.d_btc_previous
                            + fits.inverse_sxx_btc_btc * pow(window_sums.d_btc, 2)
                            + 2 * fits.inverse_sxx_btc_btc_previous * window_sums.d_btc * window_sums.d_btc_previous
                            + fits.inverse_sxx_btc_previous_btc_previous * pow(window_sums.d_btc_previous, 2)
                    end
        end as car_variance_factor
    from fits
    cross join windows
    left join window_sums
        on fits.ticker = window_sums.ticker
        and fits.event_id = window_sums.event_id
        and fits.model = window_sums.model
        and windows.window_label = window_sums.window_label

),

final as (

    select
        ticker,
        event_id,
        model,
        window_label,
        window_start,
        window_end,
        cast(window_length as integer) as window_length,
        cast(n_abnormal_returns as integer) as n_abnormal_returns,
        car,
        car_variance_factor,
        residual_std * sqrt(car_variance_factor) as car_std_error,
        car / nullif(residual_std * sqrt(car_variance_factor), 0) as car_t_stat,
        residual_degrees_of_freedom,
        {{ rebuilt_at() }} as rebuilt_at
    from cars

)

select * from final
