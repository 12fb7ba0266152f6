-- The models pick factors by role: without a 'market' ticker there is no session calendar, and
-- without 'btc' / 'ai' the factor regressions are empty. Fail loudly instead.
{{ config(severity='error') }}

with

required_roles as (

    select unnest(['btc', 'ai', 'market']) as factor_role

),

factors as (

    select factor_role
    from {{ ref('stg_reference__factors') }}

)

select required_roles.factor_role
from required_roles
left join factors
    on required_roles.factor_role = factors.factor_role
where factors.factor_role is null
