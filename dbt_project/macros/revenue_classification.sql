{#- The one definition of which facts named after revenue count, and as what. int_revenue_facts_classified
    calls it on the warehouse; the Python side (`miners revenue-facts`, the tests) renders this file with plain
    Jinja and runs it in-process with DuckDB on the same staging SQL, so both classify alike. Keep it plain
    Jinja: no ref, var or adapter calls here; the callers pass the relations. -#}

{#- The first concept rule (lowest precedence) whose concept_pattern matches each concept of `concepts`. -#}
{% macro revenue_concept_matches(concepts, concept_rules) %}
    select
        concepts.concept,
        concept_rules.rule_id as concept_rule_id,
        concept_rules.exclusion_reason as concept_exclusion_reason,
        concept_rules.concept_priority

    from {{ concepts }} as concepts
    inner join {{ concept_rules }} as concept_rules
        on regexp_matches(concepts.concept, concept_rules.concept_pattern)
    qualify row_number() over (
        partition by concepts.concept order by concept_rules.precedence
    ) = 1
{% endmacro %}

{#- Every fact of `facts` (stg_sec__revenue_facts' columns) with what it is: a total (no dimensions), a
    category member (one dimension on a product/service or segment axis, classified by the member map), or
    excluded, with the reason it never counts. The concept's meaning comes from the concept rules; the
    fact's shape (nil, unit, instant, duration, axes) from the rules below. -#}
{% macro classify_revenue_facts(facts, concept_rules, member_rules) %}
    with

    facts as (

        select
            *,
            cast(round(duration_days / 30.4375) as integer) as period_months
        from {{ facts }}

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

    concepts as (

        select distinct concept from facts

    ),

    concept_matches as (

        {{ revenue_concept_matches('concepts', concept_rules) }}

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
        inner join {{ member_rules }} as member_rules
            on regexp_matches(members.member_name, member_rules.member_pattern)
        qualify row_number() over (
            partition by members.member_name order by member_rules.precedence, member_rules.rule_id
        ) = 1

    ),

    joined as (

        select
            facts.*,
            concept_matches.concept_rule_id,
            concept_matches.concept_exclusion_reason,
            concept_matches.concept_priority,
            category_axes.axis_priority,
            member_matches.revenue_category as member_category,
            member_matches.rule_id as member_rule_id

        from facts
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
                    or dimensions like '%ErrorCorrectionsAndPriorPeriodAdjustments%Axis=%'
                    then 'restatement_or_adjustment'
                when dimensions like '%ConsolidationItemsAxis=%' then 'consolidation_item'
                when dimension_count > 0 and axis_priority is null then 'other_axis'
                when member_category = 'excluded' then 'member_not_counted'
            end as exclusion_reason

        from joined

    )

    select
        *,
        case
            when exclusion_reason is not null then 'excluded'
            when dimension_count = 0 then 'total'
            else 'category'
        end as fact_role,
        case
            when exclusion_reason is null and dimension_count = 1
                then coalesce(member_category, 'unclassified')
        end as revenue_category

    from reasoned
{% endmacro %}
