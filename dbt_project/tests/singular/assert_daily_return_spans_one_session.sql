-- A non-null daily_return must compare with the ticker's price on the immediately previous US
-- session: a return spanning a gap would silently add several days of moves into one.
{{ config(severity='error') }}

with

returns as (

    select
        ticker,
        session_index,
        daily_return,
        lag(session_index) over (partition by ticker order by session_index) as previous_priced_session_index
    from {{ ref('int_daily_returns') }}

)

select *
from returns
where daily_return is not null
    and previous_priced_session_index is distinct from session_index - 1
