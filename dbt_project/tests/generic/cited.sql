{#-
    Fails for every row of a cited seed that does not say where it comes from: a source URL that is not a
    single http(s) address, or a confidence other than high or medium (rows marked low are never carried).
-#}
{% test cited(model, url_column='source_url', confidence_column='confidence') %}

select *

from {{ model }}

where not regexp_full_match(coalesce({{ url_column }}, ''), 'https?://[^\s]+')
    or coalesce({{ confidence_column }}, '') not in ('high', 'medium')

{% endtest %}
