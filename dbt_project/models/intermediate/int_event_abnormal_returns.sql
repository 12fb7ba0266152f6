-- Event study, step 2: abnormal returns, per stock, event, model and session relative to the event
-- session, over the estimation window (where they are the fit's residuals) and the event span -1..+5
-- (where they are prediction errors): abnormal_return = daily_return - (alpha + beta_market *
-- market_return [+ beta_btc_same_day * btc_return + beta_btc_lag * btc_previous_return]). Null when the
-- model was not estimated or a return it needs is missing. One row per session on which the stock has
-- a price.
--
-- Incremental, keyed by event (macros/incremental_by_session.sql): the events int_event_model_fits rebuilt since
-- this model's last build.

{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ add_rebuilt_at_if_missing() }}",
) }}

{%- set estimation_start = var('event_estimation_start') %}
{%- set estimation_end = var('event_estimation_end') %}

with

fits as (

    select
        ticker,
        event_id,
        model,
        event_session_index,
        alpha,
        beta_market,
        beta_btc_same_day,
        beta_btc_lag
    from {{ ref('int_event_model_fits') }}
    {%- if is_incremental() %}
    where event_id in {{ events_rebuilt_in([ref('int_event_model_fits')]) }}
    {%- endif %}

),

stock_returns as (

    select
        ticker,
        session_index,
        daily_return
    from {{ ref('int_daily_returns') }}

),

factor_returns as (

    select
        session_index,
        market_return,
        btc_return,
        btc_previous_return
    from {{ ref('int_factor_returns') }}

),

relative_returns as (

    select
        fits.ticker,
        fits.event_id,
        fits.model,
        stock_returns.session_index - fits.event_session_index as relative_session,
        stock_returns.session_index,
        stock_returns.daily_return,
        factor_returns.market_return,
        factor_returns.btc_return,
        factor_returns.btc_previous_return,
        fits.alpha,
        fits.beta_market,
        fits.beta_btc_same_day,
        fits.beta_btc_lag
    from fits
    inner join stock_returns
        on fits.ticker = stock_returns.ticker
        and stock_returns.session_index
            between fits.event_session_index + {{ event_span_start() }}
            and fits.event_session_index + {{ event_span_end() }}
    left join factor_returns
        on stock_returns.session_index = factor_returns.session_index

),

final as (

    select
        ticker,
        event_id,
        model,
        relative_session,
        session_index,
        relative_session between {{ estimation_start }} and {{ estimation_end }} as is_estimation_session,
        daily_return,
        market_return,
        btc_return,
        btc_previous_return,
        daily_return - (
            alpha
            + beta_market * market_return
            + case
                when model = 'market_btc' then beta_btc_same_day * btc_return + beta_btc_lag * btc_previous_return
                else 0
            end
        ) as abnormal_return,
        {{ rebuilt_at() }} as rebuilt_at
    from relative_returns
    where relative_session between {{ estimation_start }} and {{ estimation_end }}
        or relative_session between -1 and {{ event_span_end() }}

)

select * from final
