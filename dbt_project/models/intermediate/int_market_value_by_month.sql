-- Market capitalisation and enterprise value per company at each month end and on the latest session, point in
-- time: the close of the last US session on or before the date (as traded, not adjusted: it matches the share
-- count as filed then; none when that session is more than 10 days back), the newest share count and the newest
-- balance sheet among the filings filed by that date (a 10-Q filed after a month end is not used for it).

with

sessions as (

    select session_date from {{ ref('int_us_sessions') }}

),

balance_sheets as (

    select * from {{ ref('int_company_balance_sheet') }}
    where known_from is not null

),

us_closes as (

    select
        prices.ticker,
        prices.trade_date,
        prices.close
    from {{ ref('stg_yahoo__daily_prices') }} as prices
    inner join sessions
        on prices.trade_date = sessions.session_date
    where
        prices.close is not null
        and prices.ticker in (select balance_sheets.ticker from balance_sheets)

),

session_range as (

    select
        cast(date_trunc('month', min(session_date)) as timestamp) as first_month,
        cast(max(session_date) as timestamp) as last_session,
        max(session_date) as latest_session
    from sessions

),

month_starts as (

    select
        latest_session,
        unnest(generate_series(first_month, last_session, interval 1 month)) as month_start
    from session_range

),

-- every complete month's last day, and the latest session (as_of_kind says which)
as_of_dates as (

    select
        'month_end' as as_of_kind,
        cast(last_day(month_start) as date) as as_of_date
    from month_starts
    where last_day(month_start) <= latest_session
    union all
    select
        'latest' as as_of_kind,
        latest_session as as_of_date
    from session_range

),

ticker_dates as (

    select
        tickers.ticker,
        as_of_dates.as_of_kind,
        as_of_dates.as_of_date
    from (select distinct ticker from us_closes) as tickers
    cross join as_of_dates

),

priced as (

    select
        ticker_dates.*,
        us_closes.trade_date as price_date,
        us_closes.close
    from ticker_dates
    inner join us_closes
        on
            ticker_dates.ticker = us_closes.ticker
            and us_closes.trade_date <= ticker_dates.as_of_date
            and us_closes.trade_date > ticker_dates.as_of_date - interval 10 day
    qualify row_number() over (
        partition by ticker_dates.ticker, ticker_dates.as_of_kind, ticker_dates.as_of_date
        order by us_closes.trade_date desc
    ) = 1

),

-- the newest count known by the date (an amendment filed later for an older date does not replace it)
shares as (

    select
        ticker_dates.*,
        balance_sheets.shares_outstanding,
        balance_sheets.shares_as_of,
        balance_sheets.known_from as shares_known_from,
        balance_sheets.accession_number as shares_accession_number
    from ticker_dates
    inner join balance_sheets
        on
            ticker_dates.ticker = balance_sheets.ticker
            and balance_sheets.known_from <= ticker_dates.as_of_date
            and balance_sheets.shares_outstanding is not null
    qualify row_number() over (
        partition by ticker_dates.ticker, ticker_dates.as_of_kind, ticker_dates.as_of_date
        order by balance_sheets.shares_as_of desc, balance_sheets.known_from desc, balance_sheets.accession_number desc
    ) = 1

),

balances as (

    select
        ticker_dates.*,
        balance_sheets.balance_sheet_date,
        balance_sheets.known_from as balance_sheet_known_from,
        balance_sheets.accession_number as balance_sheet_accession_number,
        balance_sheets.cash,
        balance_sheets.debt,
        balance_sheets.debt_rule
    from ticker_dates
    inner join balance_sheets
        on
            ticker_dates.ticker = balance_sheets.ticker
            and balance_sheets.known_from <= ticker_dates.as_of_date
            and balance_sheets.balance_sheet_date is not null
    qualify row_number() over (
        partition by ticker_dates.ticker, ticker_dates.as_of_kind, ticker_dates.as_of_date
        order by
            balance_sheets.balance_sheet_date desc,
            balance_sheets.known_from desc,
            balance_sheets.accession_number desc
    ) = 1

),

valued as (

    select
        ticker_dates.ticker,
        ticker_dates.as_of_kind,
        ticker_dates.as_of_date,
        priced.price_date,
        priced.close,
        shares.shares_outstanding,
        shares.shares_as_of,
        shares.shares_known_from,
        shares.shares_accession_number,
        cast(priced.close * shares.shares_outstanding as double) as market_cap,
        balances.balance_sheet_date,
        balances.balance_sheet_known_from,
        balances.balance_sheet_accession_number,
        cast(balances.cash as double) as cash,
        cast(balances.debt as double) as debt,
        balances.debt_rule,
        cast(priced.close * shares.shares_outstanding + balances.debt - balances.cash as double) as enterprise_value
    from ticker_dates
    left join priced
        on
            ticker_dates.ticker = priced.ticker
            and ticker_dates.as_of_kind = priced.as_of_kind
            and ticker_dates.as_of_date = priced.as_of_date
    left join shares
        on
            ticker_dates.ticker = shares.ticker
            and ticker_dates.as_of_kind = shares.as_of_kind
            and ticker_dates.as_of_date = shares.as_of_date
    left join balances
        on
            ticker_dates.ticker = balances.ticker
            and ticker_dates.as_of_kind = balances.as_of_kind
            and ticker_dates.as_of_date = balances.as_of_date
    -- nothing to value before the first close or before the first filing is known
    where priced.close is not null or shares.shares_outstanding is not null

)

select * from valued
