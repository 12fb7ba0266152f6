-- US trading sessions, taken from the bars of the market factor (SPY): an equity ETF only has
-- bars on days the US exchanges were open, so its dates are the session calendar without
-- needing a holiday list. The market ticker is looked up by role, not hard-coded.

with

market_factor as (

    select ticker
    from {{ ref('stg_reference__factors') }}
    where factor_role = 'market'

),

prices as (

    select
        ticker,
        trade_date
    from {{ ref('stg_yahoo__daily_prices') }}

),

session_dates as (

    select distinct prices.trade_date as session_date
    from prices
    inner join market_factor
        on prices.ticker = market_factor.ticker

),

numbered as (

    select
        session_date,
        cast(row_number() over (order by session_date) as integer) as session_index,
        lag(session_date) over (order by session_date) as previous_session_date
    from session_dates

)

select * from numbered
