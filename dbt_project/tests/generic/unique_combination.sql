{#-
    Fails for every combination of the given columns that occurs more than once
    (a multi-column primary key check; dbt_utils is not available offline).
    Nulls form their own group, so pair this with not_null tests on the key columns.
-#}
{% test unique_combination(model, combination_of_columns) %}

{%- set key_columns = combination_of_columns | join(', ') %}

select
    {{ key_columns }},
    count(*) as n_rows

from {{ model }}

group by {{ key_columns }}

having count(*) > 1

{% endtest %}
