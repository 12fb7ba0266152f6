with

source as (

    select * from {{ source('yahoo', 'market_prices') }}

),

renamed as (

    select
        cast(source.ticker as varchar) as ticker,
        cast(source."date" as date) as trade_date,
        cast(source."open" as double) as "open",
        cast(source.high as double) as high,
        cast(source.low as double) as low,
        cast(source."close" as double) as "close",
        cast(source.adj_close as double) as adj_close,
        cast(source.volume as bigint) as volume,
        -- qualified: the column shares its name with the CTE
        cast(source.source as varchar) as source,
        cast(source.is_synthetic as boolean) as is_synthetic,
        cast(source.loaded_at as timestamp) as loaded_at,
        cast(source.run_id as varchar) as run_id

    from source

)

select * from renamed
