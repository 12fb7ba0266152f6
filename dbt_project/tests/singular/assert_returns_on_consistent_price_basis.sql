-- price_for_returns is coalesce(adj_close, close). If a ticker's bars switch between having an
-- adjusted close and not (e.g. a csv fallback between Yahoo loads), that day's return mixes the
-- adjusted and unadjusted series and can jump by the accumulated dividend/split adjustment.
-- Warn so the data can be reloaded consistently.
{{ config(severity='warn') }}

with

returns as (

    select
        ticker,
        session_date,
        daily_return,
        adj_close,
        lag(adj_close) over (partition by ticker order by session_index) as previous_adj_close
    from {{ ref('int_daily_returns') }}

)

select
    ticker,
    session_date,
    daily_return
from returns
where daily_return is not null
    and (adj_close is null) != (previous_adj_close is null)
