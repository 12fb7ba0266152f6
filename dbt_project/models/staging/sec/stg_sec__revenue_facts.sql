with

source as (

    select * from {{ source('sec', 'sec_revenue_facts') }}

),

renamed as (

    select
        cik,
        ticker,
        accession_number,
        document,
        concept,
        split_part(concept, ':', 1) as concept_prefix,
        split_part(concept, ':', 2) as concept_name,
        context_id,
        period_start,
        period_end,
        datediff('day', period_start, period_end) + 1 as duration_days,
        dimensions,
        dimension_count,
        axis,
        member,
        split_part(member, ':', 2) as member_name,
        unit,
        decimals,
        scale,
        sign,
        formatted as formatted_value,
        cast(value as decimal(38, 4)) as value,
        is_nil,
        source,
        is_synthetic

    from source

)

select * from renamed
