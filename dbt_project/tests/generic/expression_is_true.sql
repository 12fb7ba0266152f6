{#-
    Fails for every row where the SQL boolean expression is false.
    Rows where it evaluates to null pass: combine with not_null when nulls are not allowed.
    column_name is accepted (and ignored) so the test can also be attached to a column.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *

from {{ model }}

where not ({{ expression }})

{% endtest %}
