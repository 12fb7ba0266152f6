with

source as (

    select * from {{ ref('ai_pivot_assumptions') }}

),

renamed as (

    select
        cast(assumption as varchar) as assumption,
        cast(value as double) as assumption_value,
        cast(unit as varchar) as unit,
        cast(source_url as varchar) as source_url,
        cast(notes as varchar) as notes

    from source

)

select * from renamed
