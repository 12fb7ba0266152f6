with

source as (

    select * from {{ ref('factors') }}

),

renamed as (

    select
        cast(factor_role as varchar) as factor_role,
        cast(ticker as varchar) as ticker,
        cast(description as varchar) as description

    from source

)

select * from renamed
