with

source as (

    select * from {{ ref('ai_hpc_contracts') }}

),

renamed as (

    select
        cast(deal_id as integer) as deal_id,
        cast(ticker as varchar) as ticker,
        cast(company as varchar) as company,
        cast(counterparty as varchar) as counterparty,
        cast(end_user_or_backstop as varchar) as end_user_or_backstop,
        cast(announce_date as date) as announce_date,
        cast(announce_date_precision as varchar) as announce_date_precision,
        cast(announce_date_as_reported as varchar) as announce_date_as_reported,
        cast(deal_type as varchar) as deal_type,
        -- what the company sells: power, shell and cooling (a lease or colocation), or GPU capacity too
        case
            when lower(deal_type) like '%cloud services%' then 'cloud_services'
            when lower(deal_type) like '%acquisition%' then 'acquisition'
            else 'lease_or_colocation'
        end as contract_kind,
        cast(critical_it_mw as double) as critical_it_mw,
        cast(contract_value_usd as double) as contract_value_usd,
        cast(term_years as double) as term_years,
        cast(site as varchar) as site,
        cast(status_as_of_source as varchar) as status_as_of_source,
        cast(source_url as varchar) as source_url,
        cast(confidence as varchar) as confidence,
        cast(notes as varchar) as notes,
        cast(published_date as date) as published_date,
        cast(published_date_basis as varchar) as published_date_basis

    from source
    where {{ in_universe() }}  -- rows about the universe's companies only

)

select * from renamed
