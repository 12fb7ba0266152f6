-- Each revenue fact of each filing, with what it is: a total, a category breakdown member (classified
-- by the revenue_member_map seed), or a fact on an unrelated axis (pro forma, consolidation items,
-- crypto assets, several dimensions) that must not be counted. Nil facts are dropped.

with

facts as (

    select * from {{ ref('stg_sec__revenue_facts') }}
    where not is_nil and unit = 'USD'

),

filings as (

    select * from {{ ref('stg_sec__filings') }}

),

companies as (

    select * from {{ ref('stg_reference__miners') }}

),

member_rules as (

    select * from {{ ref('stg_reference__revenue_member_map') }}

),

-- axes that break revenue down by product, service or segment, in order of preference
category_axes as (

    select * from (
        values
            ('srt:ProductOrServiceAxis', 1),
            ('ifrs-full:ProductsAndServicesAxis', 2),
            ('us-gaap:StatementBusinessSegmentsAxis', 3),
            ('ifrs-full:SegmentsAxis', 4)
    ) as axes (axis, axis_priority)

),

members as (

    select distinct member_name from facts where member_name is not null

),

member_matches as (

    select
        members.member_name,
        member_rules.revenue_category,
        member_rules.rule_id,
        row_number() over (
            partition by members.member_name order by member_rules.precedence, member_rules.rule_id
        ) as match_rank

    from members
    inner join member_rules
        on regexp_matches(members.member_name, member_rules.member_pattern)

),

classified as (

    select
        facts.cik,
        facts.ticker,
        facts.accession_number,
        filings.form,
        filings.is_amendment,
        filings.filing_date,
        filings.report_date,
        facts.concept,
        case facts.concept
            when 'us-gaap:Revenues' then 1
            when 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax' then 2
            when 'us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax' then 3
            when 'ifrs-full:Revenue' then 4
            else 5
        end as concept_priority,
        facts.context_id,
        facts.period_start,
        facts.period_end,
        cast(round(facts.duration_days / 30.4375) as integer) as period_months,
        facts.axis,
        facts.member,
        facts.member_name,
        case
            when facts.dimension_count = 0 then 'total'
            when facts.dimension_count = 1 and category_axes.axis is not null then 'category'
            else 'other_axis'
        end as fact_role,
        category_axes.axis_priority,
        case
            when facts.dimension_count = 1 and category_axes.axis is not null
                then coalesce(member_matches.revenue_category, 'unclassified')
        end as revenue_category,
        member_matches.rule_id as member_rule_id,
        facts.value,
        companies.fiscal_year_end_month,
        companies.default_revenue_category

    from facts
    inner join filings
        on facts.cik = filings.cik and facts.accession_number = filings.accession_number
    inner join companies
        on facts.ticker = companies.ticker
    left join category_axes
        on facts.axis = category_axes.axis
    left join member_matches
        on facts.member_name = member_matches.member_name and member_matches.match_rank = 1

)

select * from classified
