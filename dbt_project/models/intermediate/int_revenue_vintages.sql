{%- set amounts = ['total', 'self_mining', 'hosting', 'hpc_ai', 'other', 'unclassified'] -%}
-- Revenue by category per company, period and filing: every report of a period is a vintage. Quarters come
-- from three-month facts, first reports and later filings' comparatives alike. The fourth quarter, which
-- 10-Ks do not tag, is each fiscal-year report minus a nine-month year-to-date, one vintage per fiscal-year
-- report: the nine months of the same presentation where the filings allow it. Annual-only filers (20-F,
-- 40-F) get one fiscal-year row per report of a year that has no quarters. Which vintage the revenue mix
-- serves is mart_revenue_mix's rule, not this model's.

with

filing_periods as (

    select
        *,
        -- the order in which reports became public; a report of unknown date counts from its period end
        coalesce(known_from, report_date) as known_order
    from {{ ref('int_revenue_by_filing_period') }}

),

three_month as (

    select
        *,
        'quarter' as period_type,
        false as is_derived_q4,
        false as q4_category_bases_differ,
        cast(null as varchar) as nine_months_accession
    from filing_periods
    where period_months = 3

),

-- every nine-month report of the same fiscal year is a candidate for each fiscal-year report
derived_q4_candidates as (

    select
        fy.cik,
        fy.ticker,
        fy.accession_number,
        fy.form,
        fy.is_amendment,
        fy.filing_date,
        fy.report_date,
        -- the quarter is known once both of its reports are (and not at all while either date is unknown)
        case
            when fy.known_from is not null and nine.known_from is not null
                then greatest(fy.known_from, nine.known_from)
        end as known_from,
        case
            when nine.known_from > fy.known_from then nine.known_from_basis
            when nine.known_from is not null then fy.known_from_basis
        end as known_from_basis,
        greatest(fy.known_order, nine.known_order) as known_order,
        fy.concept,
        coalesce(fy.category_axis, nine.category_axis) as category_axis,
        cast(nine.period_end + interval 1 day as date) as period_start,
        fy.period_end,
        3 as period_months,
        fy.fiscal_year_end_month,
        {% for amount in amounts %}
        fy.{{ amount }}_revenue - nine.{{ amount }}_revenue as {{ amount }}_revenue,
        {% endfor %}
        fy.has_breakdown or nine.has_breakdown as has_breakdown,
        nullif(concat_ws(', ', fy.unmapped_members, nine.unmapped_members), '') as unmapped_members,
        fy.category_members,
        'quarter' as period_type,
        true as is_derived_q4,
        nine.accession_number as nine_months_accession,
        -- which members each of the two reports broke its revenue into (judged in derived_q4)
        not list_has_all(
            string_split(coalesce(fy.category_members, ''), ', '),
            string_split(coalesce(nine.category_members, ''), ', ')
        ) as nine_month_member_gone,
        not list_has_all(
            string_split(coalesce(nine.category_members, ''), ', '),
            string_split(coalesce(fy.category_members, ''), ', ')
        )
        and nine.known_order > fy.known_order as year_member_missing_from_later_nine_months

    from filing_periods as fy
    inner join filing_periods as nine
        on fy.cik = nine.cik
        and fy.period_start = nine.period_start
        and nine.period_months = 9
        and nine.period_end < fy.period_end
    where fy.period_months = 12
        and not exists (
            select 1 from three_month
            where three_month.cik = fy.cik and three_month.period_end = fy.period_end
        )

),

-- The two reports cut revenue into different members: one the nine months had is gone from the year, or a
-- later filing's comparative nine months lacks one the year has and the difference leaves a category
-- negative (the filer re-cut its categories: Riot's 2024 10-Qs fold 2023's hosting into other). A member
-- merely absent from the nine months (zero then: a business line that started in the fourth quarter) is not
-- a re-cut. The total still holds; the categories of a flagged quarter do not. Of the candidates, each
-- fiscal-year report takes nine months of its own presentation when there are any, the earliest known.
derived_q4 as (

    select
        * exclude (nine_month_member_gone, year_member_missing_from_later_nine_months),
        nine_month_member_gone
        or (
            year_member_missing_from_later_nine_months
            and least(self_mining_revenue, hosting_revenue, hpc_ai_revenue, other_revenue, unclassified_revenue) < 0
        ) as q4_category_bases_differ
    from derived_q4_candidates
    qualify row_number() over (
        partition by accession_number, period_start, period_end
        order by q4_category_bases_differ, known_order, nine_months_accession
    ) = 1

),

quarters as (

    select * from three_month
    union all by name
    select * from derived_q4

),

fiscal_years as (

    select
        *,
        'fiscal_year' as period_type,
        false as is_derived_q4,
        false as q4_category_bases_differ,
        cast(null as varchar) as nine_months_accession
    from filing_periods as fy
    where period_months = 12
        and not exists (
            select 1 from quarters
            where quarters.cik = fy.cik
                and quarters.period_end between fy.period_start and fy.period_end
        )

),

all_periods as (

    select * from quarters
    union all by name
    select * from fiscal_years

),

final as (

    select
        cik,
        ticker,
        period_type,
        {{ fiscal_year('period_end', 'fiscal_year_end_month') }} as fiscal_year,
        case
            when period_type = 'quarter' then {{ fiscal_quarter('period_end', 'fiscal_year_end_month') }}
        end as fiscal_quarter,
        period_start,
        period_end,
        year({{ nearest_month_end('period_end') }}) as calendar_year,
        case
            when period_type = 'quarter' then quarter({{ nearest_month_end('period_end') }})
        end as calendar_quarter,
        {% for amount in amounts %}
        {{ amount }}_revenue,
        {% endfor %}
        unmapped_members,
        has_breakdown,
        concept,
        category_axis,
        is_derived_q4,
        q4_category_bases_differ,
        accession_number,
        form,
        filing_date,
        report_date,
        known_from,
        known_from_basis,
        known_order,
        nine_months_accession

    from all_periods

)

select * from final
