with

source as (

    select * from {{ ref('mining_power_assumptions') }}

),

renamed as (

    select
        cast(assumption as varchar) as assumption,
        cast(value as double) as assumption_value,
        cast(unit as varchar) as unit,
        cast(case_name as varchar) as case_name,
        cast(why as varchar) as why,
        cast(source_url as varchar) as source_url

    from source

)

select * from renamed
