{%- set revenue_categories = ['self_mining', 'hosting', 'hpc_ai', 'other'] -%}
-- What each filing says about each period it reports: one total and its split by category.
-- One consistent concept per filing: the revenue concept that carries a category breakdown, else the
-- highest-priority one with a total (us-gaap:Revenues first). One category axis per filing (the one
-- the chosen concept uses most). A filing without any breakdown puts the whole total in the company's
-- default category (a pure miner tags no product axis: all of its revenue is self-mining).

with

facts as (

    select * from {{ ref('int_revenue_facts_classified') }}
    where fact_role in ('total', 'category')  -- excluded facts never count (their reason is in the model)

),

concept_candidates as (

    select
        accession_number,
        concept,
        min(concept_priority) as concept_priority,
        bool_or(fact_role = 'category') as has_categories,
        bool_or(fact_role = 'total') as has_total

    from facts
    group by accession_number, concept

),

chosen_concept as (

    select accession_number, concept
    from concept_candidates
    where has_total
    qualify row_number() over (
        partition by accession_number order by has_categories desc, concept_priority, concept
    ) = 1

),

chosen_facts as (

    select facts.*
    from facts
    inner join chosen_concept using (accession_number, concept)

),

chosen_axis as (

    select accession_number, axis
    from chosen_facts
    where fact_role = 'category'
    group by accession_number, axis
    qualify row_number() over (
        partition by accession_number order by count(*) desc, min(axis_priority)
    ) = 1

),

totals as (

    select
        cik,
        ticker,
        accession_number,
        form,
        is_amendment,
        filing_date,
        report_date,
        concept,
        period_start,
        period_end,
        period_months,
        fiscal_year_end_month,
        default_revenue_category,
        max(value) as total_revenue

    from chosen_facts
    where fact_role = 'total'
    group by all

),

categories as (

    select
        chosen_facts.accession_number,
        chosen_facts.period_start,
        chosen_facts.period_end,
        chosen_axis.axis as category_axis,
        {% for category in revenue_categories + ['unclassified'] %}
        sum(chosen_facts.value) filter (
            where chosen_facts.revenue_category = '{{ category }}'
        ) as {{ category }}_revenue,
        {% endfor %}
        string_agg(distinct chosen_facts.member, ', ' order by chosen_facts.member) filter (
            where chosen_facts.revenue_category = 'unclassified'
        ) as unmapped_members,
        -- which members carried revenue (a zero or dash line is no member of the breakdown): a fourth
        -- quarter derived from two filings compares them
        string_agg(distinct chosen_facts.member, ', ' order by chosen_facts.member) filter (
            where chosen_facts.value <> 0
        ) as category_members

    from chosen_facts
    inner join chosen_axis
        on chosen_facts.accession_number = chosen_axis.accession_number
        and chosen_facts.axis = chosen_axis.axis
    where chosen_facts.fact_role = 'category'
    group by all

),

known as (

    select * from {{ ref('int_filings_known_from') }}

),

combined as (

    select
        totals.cik,
        totals.ticker,
        totals.accession_number,
        totals.form,
        totals.is_amendment,
        totals.filing_date,
        totals.report_date,
        known.known_from,
        known.known_from_basis,
        totals.concept,
        categories.category_axis,
        totals.period_start,
        totals.period_end,
        totals.period_months,
        totals.fiscal_year_end_month,
        totals.total_revenue,
        categories.accession_number is not null as has_breakdown,
        {% for category in revenue_categories %}
        case
            when categories.accession_number is not null then coalesce(categories.{{ category }}_revenue, 0)
            when totals.default_revenue_category = '{{ category }}' then totals.total_revenue
            else 0
        end as {{ category }}_revenue,
        {% endfor %}
        coalesce(categories.unclassified_revenue, 0) as unclassified_revenue,
        categories.unmapped_members,
        categories.category_members

    from totals
    left join known
        on totals.accession_number = known.accession_number
    left join categories
        on totals.accession_number = categories.accession_number
        and totals.period_start = categories.period_start
        and totals.period_end = categories.period_end

)

select * from combined
