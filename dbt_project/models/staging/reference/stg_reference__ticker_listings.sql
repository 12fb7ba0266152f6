with

source as (

    select * from {{ ref('ticker_listings') }}

),

-- The universe is the miners seed: rows about other companies are left out (a trimmed seed keeps the
-- companies a user follows), and the check outside_universe names them. A null ticker stays, for not_null.
universe as (

    select ticker from {{ ref('miners') }}

),

renamed as (

    select
        cast(ticker as varchar) as ticker,
        cast(first_valid_session as date) as first_valid_session,
        cast(predecessor as varchar) as predecessor,
        cast(source_url as varchar) as source_url,
        cast(note as varchar) as note

    from source
    where ticker in (select universe.ticker from universe) or ticker is null

)

select * from renamed
