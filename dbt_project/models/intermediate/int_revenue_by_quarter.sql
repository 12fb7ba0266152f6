-- Revenue by category per company and fiscal quarter. Quarters come from three-month facts; the fourth
-- quarter, which 10-Ks do not tag, is the fiscal year minus the nine-month year-to-date. Where a period
-- was reported more than once (comparatives, amendments), the latest filing wins. Annual-only filers
-- (20-F, 40-F) get one fiscal-year row per year that has no quarters.

with

filing_periods as (

    select * from {{ ref('int_revenue_by_filing_period') }}

),

latest as (

    select *
    from filing_periods
    qualify row_number() over (
        partition by cik, period_start, period_end
        -- local files have no filing date: their report date orders them
        order by coalesce(filing_date, report_date) desc nulls last, is_amendment desc, accession_number desc
    ) = 1

),

three_month as (

    select
        *,
        'quarter' as period_type,
        false as is_derived_q4,
        false as q4_category_bases_differ
    from latest
    where period_months = 3

),

derived_q4_parts as (

    select
        fy.cik,
        fy.ticker,
        fy.accession_number,
        fy.form,
        fy.is_amendment,
        fy.filing_date,
        fy.report_date,
        fy.concept,
        coalesce(fy.category_axis, nine.category_axis) as category_axis,
        cast(nine.period_end + interval 1 day as date) as period_start,
        fy.period_end,
        3 as period_months,
        fy.fiscal_year_end_month,
        fy.total_revenue - nine.total_revenue as total_revenue,
        fy.has_breakdown or nine.has_breakdown as has_breakdown,
        fy.self_mining_revenue - nine.self_mining_revenue as self_mining_revenue,
        fy.hosting_revenue - nine.hosting_revenue as hosting_revenue,
        fy.hpc_ai_revenue - nine.hpc_ai_revenue as hpc_ai_revenue,
        fy.other_revenue - nine.other_revenue as other_revenue,
        fy.unclassified_revenue - nine.unclassified_revenue as unclassified_revenue,
        nullif(concat_ws(', ', fy.unmapped_members, nine.unmapped_members), '') as unmapped_members,
        fy.category_members,
        'quarter' as period_type,
        true as is_derived_q4,
        -- which members each of the two filings broke its revenue into (judged in derived_q4)
        not list_has_all(
            string_split(coalesce(fy.category_members, ''), ', '),
            string_split(coalesce(nine.category_members, ''), ', ')
        ) as nine_month_member_gone,
        not list_has_all(
            string_split(coalesce(nine.category_members, ''), ', '),
            string_split(coalesce(fy.category_members, ''), ', ')
        )
        and coalesce(nine.filing_date, nine.report_date) > coalesce(fy.filing_date, fy.report_date)
            as year_member_missing_from_later_nine_months

    from latest as fy
    inner join latest as nine
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

-- The two filings cut revenue into different members: one the nine months had is gone from the year, or a
-- later filing's comparative nine months lacks one the year has and the difference leaves a category
-- negative (the filer re-cut its categories: Riot's 2024 10-Qs fold 2023's hosting into other). A member
-- merely absent from the nine months (zero then: a business line that started in the fourth quarter) is not
-- a re-cut. The total still holds; the categories of a flagged quarter do not.
derived_q4 as (

    select
        * exclude (nine_month_member_gone, year_member_missing_from_later_nine_months),
        nine_month_member_gone
        or (
            year_member_missing_from_later_nine_months
            and least(self_mining_revenue, hosting_revenue, hpc_ai_revenue, other_revenue, unclassified_revenue) < 0
        ) as q4_category_bases_differ
    from derived_q4_parts

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
        false as q4_category_bases_differ
    from latest as fy
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
        total_revenue,
        self_mining_revenue,
        hosting_revenue,
        hpc_ai_revenue,
        other_revenue,
        unclassified_revenue,
        unmapped_members,
        has_breakdown,
        concept,
        category_axis,
        is_derived_q4,
        q4_category_bases_differ,
        accession_number as source_accession,
        form as source_form,
        filing_date as source_filing_date

    from all_periods

)

select * from final
