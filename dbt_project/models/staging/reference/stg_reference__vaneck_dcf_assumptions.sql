with

source as (

    select * from {{ ref('vaneck_dcf_assumptions') }}

),

renamed as (

    select
        cast(assumption as varchar) as assumption,
        cast(value as double) as assumption_value,
        cast(unit as varchar) as unit,
        cast(status as varchar) as status,
        cast(is_base_case as boolean) as is_base_case,
        cast(source_url as varchar) as source_url,
        cast(note as varchar) as note

    from source

)

select * from renamed
