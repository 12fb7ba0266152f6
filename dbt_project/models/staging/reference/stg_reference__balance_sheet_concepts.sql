with

source as (

    select * from {{ ref('balance_sheet_concepts') }}

),

renamed as (

    select
        cast(concept as varchar) as concept,
        cast(valuation_input as varchar) as valuation_input,
        cast(precedence as integer) as precedence,
        cast(comment as varchar) as comment

    from source

)

select * from renamed
