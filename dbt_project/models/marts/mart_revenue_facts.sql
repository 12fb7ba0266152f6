-- Every fact named after revenue in every filing, as filed, and what the revenue mix made of it: counted,
-- or excluded with a named reason (exclusion_reason), or left out because the filing's mix was built from
-- another concept or axis. The audit trail behind mart_revenue_mix.

with

facts as (

    select * from {{ ref('int_revenue_facts_classified') }}

),

filing_periods as (

    select accession_number, period_start, period_end, concept, category_axis
    from {{ ref('int_revenue_by_filing_period') }}

),

final as (

    select
        facts.ticker,
        facts.cik,
        facts.accession_number,
        facts.form,
        facts.filing_date,
        facts.report_date,
        facts.concept,
        facts.context_id,
        facts.period_start,
        facts.period_end,
        facts.period_months,
        facts.dimensions,
        facts.axis,
        facts.member,
        facts.unit,
        facts.value,
        facts.fact_role,
        facts.revenue_category,
        facts.exclusion_reason,
        facts.concept_rule_id,
        facts.member_rule_id,
        case
            when facts.exclusion_reason is not null then 'excluded'
            when filing_periods.concept is null or filing_periods.concept <> facts.concept
                then 'another_concept_used'
            when facts.fact_role = 'category' and coalesce(facts.axis <> filing_periods.category_axis, true)
                then 'another_axis_used'
            else 'counted'
        end as mix_treatment

    from facts
    left join filing_periods
        on facts.accession_number = filing_periods.accession_number
        and facts.period_start = filing_periods.period_start
        and facts.period_end = filing_periods.period_end

)

select * from final
