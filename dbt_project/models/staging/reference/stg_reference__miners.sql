with

source as (

    select * from {{ ref('miners') }}

),

renamed as (

    select
        cast(ticker as varchar) as ticker,
        cast(company_name as varchar) as company_name,
        -- kept as text: CIKs have significant leading zeros
        cast(cik as varchar) as cik,
        cast(is_miner as boolean) as is_miner,
        cast(exchange as varchar) as exchange,
        cast(fiscal_year_end as varchar) as fiscal_year_end,
        cast(fiscal_year_end_month as integer) as fiscal_year_end_month,
        cast(annual_report_form as varchar) as annual_report_form,
        cast(default_revenue_category as varchar) as default_revenue_category,
        cast(cik_check as varchar) as cik_check,
        cast(form_check as varchar) as form_check,
        cast(notes as varchar) as notes

    from source

)

select * from renamed
