{#-
    Fails with one row per named SQL boolean expression that is false on some row (expression_name,
    n_failing_rows). Rows where an expression evaluates to null pass: pair it with not_null_columns when nulls
    are not allowed. `expressions` maps a name (what the rule says) to its expression. A model's rules are
    checked in one scan and one test node, instead of one node per rule: a build runs every test, and dbt's
    cost per node is most of what a small one costs.
-#}
{% test expressions_are_true(model, expressions) %}

with failing as (

    select
        {%- for name, expression in expressions.items() %}
        count(*) filter (where not ({{ expression }})) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}

    from {{ model }}

)

select *

from (
    unpivot failing
    on columns(*)
    into name expression_name value n_failing_rows
)

where n_failing_rows > 0

{% endtest %}
