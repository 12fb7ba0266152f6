-- Every fact named after revenue in each filing, as filed, with what it is: a total, a category member or
-- excluded with its reason. The classification is the classify_revenue_facts macro (the revenue_concept_rules
-- and revenue_member_map seeds, and the fact's shape), shared with the Python side; this model adds the
-- filing and the company.

with

classified_facts as (

    {{ classify_revenue_facts(
        ref('stg_sec__revenue_facts'),
        ref('stg_reference__revenue_concept_rules'),
        ref('stg_reference__revenue_member_map')
    ) }}

),

filings as (

    select * from {{ ref('stg_sec__filings') }}

),

companies as (

    select * from {{ ref('stg_reference__miners') }}

),

classified as (

    select
        classified_facts.cik,
        classified_facts.ticker,
        classified_facts.accession_number,
        filings.form,
        filings.is_amendment,
        filings.filing_date,
        filings.report_date,
        classified_facts.concept,
        classified_facts.concept_rule_id,
        classified_facts.concept_priority,
        classified_facts.context_id,
        classified_facts.period_start,
        classified_facts.period_end,
        classified_facts.duration_days,
        classified_facts.period_months,
        classified_facts.dimensions,
        classified_facts.axis,
        classified_facts.member,
        classified_facts.member_name,
        classified_facts.unit,
        classified_facts.exclusion_reason,
        classified_facts.fact_role,
        classified_facts.axis_priority,
        classified_facts.revenue_category,
        classified_facts.member_rule_id,
        classified_facts.value,
        companies.fiscal_year_end_month,
        companies.default_revenue_category

    from classified_facts
    inner join filings
        on classified_facts.cik = filings.cik and classified_facts.accession_number = filings.accession_number
    inner join companies
        on classified_facts.ticker = companies.ticker

)

select * from classified
