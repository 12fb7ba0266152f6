-- Every ticker in the raw prices should belong to the universe (miners seed + factors seed).
-- A stray ticker is harmless to the marts (it just gets its own rows), so this only warns.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_yahoo__daily_prices'}}}) }}

with

universe as (

    select ticker from {{ ref('stg_reference__miners') }}
    union
    select ticker from {{ ref('stg_reference__factors') }}

),

price_tickers as (

    select distinct ticker
    from {{ ref('stg_yahoo__daily_prices') }}

)

select price_tickers.ticker
from price_tickers
left join universe
    on price_tickers.ticker = universe.ticker
where universe.ticker is null
