with

source as (

    select * from {{ ref('revenue_concept_rules') }}

),

renamed as (

    select
        cast(rule_id as varchar) as rule_id,
        cast(precedence as integer) as precedence,
        cast(concept_pattern as varchar) as concept_pattern,
        nullif(cast(exclusion_reason as varchar), '') as exclusion_reason,
        cast(concept_priority as integer) as concept_priority,
        cast(comment as varchar) as comment

    from source

)

select * from renamed
