with

source as (

    select * from {{ ref('revenue_member_map') }}

),

renamed as (

    select
        cast(rule_id as varchar) as rule_id,
        cast(precedence as integer) as precedence,
        cast(member_pattern as varchar) as member_pattern,
        cast(category as varchar) as revenue_category,
        cast(comment as varchar) as comment

    from source

)

select * from renamed
