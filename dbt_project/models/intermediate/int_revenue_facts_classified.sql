-- Every fact named after revenue in each filing, as filed, with what it is: a total (no dimensions), a
-- category member (one dimension on a product/service or segment axis, classified by the
-- revenue_member_map seed), or excluded, with the reason it never counts. The concept's meaning comes from
-- the revenue_concept_rules seed; the fact's shape (nil, unit, instant, duration, axes) from the rules below.

with

facts as (

    select
        *,
        cast(round(duration_days / 30.4375) as integer) as period_months
    from {{ ref('stg_sec__revenue_facts') }}

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

concept_rules as (

    select * from {{ ref('stg_reference__revenue_concept_rules') }}

),

-- axes that break revenue down by product, service or segment, in order of preference
category_axes as (

    -- the alias only names the columns of the values list (sqlfluff: AL05)
    select * from (
        values
            ('srt:ProductOrServiceAxis', 1),
            ('ifrs-full:ProductsAndServicesAxis', 2),
            ('us-gaap:StatementBusinessSegmentsAxis', 3),
            ('ifrs-full:SegmentsAxis', 4)
    ) as axes (axis, axis_priority)  -- noqa: AL05

),

concepts as (

    select distinct concept from facts

),

concept_matches as (

    select
        concepts.concept,
        concept_rules.rule_id as concept_rule_id,
        concept_rules.exclusion_reason as concept_exclusion_reason,
        concept_rules.concept_priority

    from concepts
    inner join concept_rules
        on regexp_matches(concepts.concept, concept_rules.concept_pattern)
    qualify row_number() over (
        partition by concepts.concept order by concept_rules.precedence
    ) = 1

),

members as (

    select distinct member_name from facts where member_name is not null

),

member_matches as (

    select
        members.member_name,
        member_rules.revenue_category,
        member_rules.rule_id
    from members
    inner join member_rules
        on regexp_matches(members.member_name, member_rules.member_pattern)
    qualify row_number() over (
        partition by members.member_name order by member_rules.precedence, member_rules.rule_id
    ) = 1

),

joined as (

    select
        facts.*,
        filings.form,
        filings.is_amendment,
        filings.filing_date,
        filings.report_date,
        concept_matches.concept_rule_id,
        concept_matches.concept_exclusion_reason,
        concept_matches.concept_priority,
        category_axes.axis_priority,
        member_matches.revenue_category as member_category,
        member_matches.rule_id as member_rule_id,
        companies.fiscal_year_end_month,
        companies.default_revenue_category

    from facts
    inner join filings
        on facts.cik = filings.cik and facts.accession_number = filings.accession_number
    inner join companies
        on facts.ticker = companies.ticker
    left join concept_matches
        on facts.concept = concept_matches.concept
    left join category_axes
        on facts.dimension_count = 1 and facts.axis = category_axes.axis
    left join member_matches
        on facts.member_name = member_matches.member_name

),

reasoned as (

    select
        *,
        -- the first reason that applies; null: the fact counts
        case
            when is_nil then 'nil'
            when concept_exclusion_reason is not null then concept_exclusion_reason
            when concept_rule_id is null then 'not_a_revenue_concept'
            -- after the period's end: whatever its duration (often a day), not revenue of the period
            when dimensions like '%SubsequentEventTypeAxis=%' then 'subsequent_event'
            when coalesce(unit <> 'USD', true) then 'not_usd'
            when period_start is null then 'instant'
            -- quarters, half years, nine months and fiscal years (52/53-week years included)
            when period_months not in (3, 6, 9, 12)
                or abs(duration_days - period_months * 30.4375) > 10 then 'not_a_fiscal_period'
            when dimensions like '%ConcentrationRiskBy%Axis=%'
                or dimensions like '%MajorCustomersAxis=%' then 'concentration_risk'
            when dimensions like '%BusinessAcquisitionAxis=%' then 'acquisition_pro_forma'
            when dimensions like '%RestatementAxis=%'
                or dimensions like '%AdjustmentsForNewAccountingPronouncementsAxis=%'
                or dimensions like '%ErrorCorrectionsAndPriorPeriodAdjustments%Axis=%' then 'restatement_or_adjustment'
            when dimensions like '%ConsolidationItemsAxis=%' then 'consolidation_item'
            when dimension_count > 0 and axis_priority is null then 'other_axis'
            when member_category = 'excluded' then 'member_not_counted'
        end as exclusion_reason

    from joined

),

classified as (

    select
        cik,
        ticker,
        accession_number,
        form,
        is_amendment,
        filing_date,
        report_date,
        concept,
        concept_rule_id,
        concept_priority,
        context_id,
        period_start,
        period_end,
        duration_days,
        period_months,
        dimensions,
        axis,
        member,
        member_name,
        unit,
        exclusion_reason,
        case
            when exclusion_reason is not null then 'excluded'
            when dimension_count = 0 then 'total'
            else 'category'
        end as fact_role,
        axis_priority,
        case
            when exclusion_reason is null and dimension_count = 1
                then coalesce(member_category, 'unclassified')
        end as revenue_category,
        member_rule_id,
        value,
        fiscal_year_end_month,
        default_revenue_category

    from reasoned

)

select * from classified
