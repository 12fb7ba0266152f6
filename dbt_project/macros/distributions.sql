{#- Two-sided p-values for the event-study tests. DuckDB has no normal or Student-t distribution function,
    so both are written here as SQL expressions (closed-form series, evaluated with DuckDB list lambdas).
    Checked against scipy.stats to 1e-12 (tests/unit/test_distributions.py). -#}

{#- P(|Z| >= |z|) for a standard normal Z: erfc(|z| / sqrt(2)), with
        erf(x) = x * exp(-x^2) * sum_{n >= 0} x^(2n) / Gamma(n + 3/2)
    (Abramowitz & Stegun 7.1.6, the series of positive terms, so no cancellation). 200 terms reach double
    precision for x <= 8, i.e. |z| <= 11.3; beyond |z| = 8.5 the p-value is below 1e-16 and returned as 0. -#}
{% macro normal_two_sided_p(z) -%}
    case
        when ({{ z }}) is null or isnan(({{ z }})) then null
        when abs(({{ z }})) > 8.5 then 0.0
        else greatest(0.0, least(1.0, 1.0 - list_sum(list_transform(
            range(0, 200),
            lambda n: exp(
                (2 * n + 1) * ln(greatest(abs(({{ z }})) / sqrt(2.0), 1e-300))
                - lgamma(n + 1.5)
                - pow(abs(({{ z }})) / sqrt(2.0), 2)
            )
        ))))
    end
{%- endmacro %}

{#- P(|T| >= |t|) for Student's t with df degrees of freedom (a positive integer, here N - 1 firms): the
    finite series of Abramowitz & Stegun 26.7.3-26.7.4 for A(t|df) = P(|T| < |t|), theta = atan(|t| / sqrt(df)):
        df even: A = sin(theta) * sum_{k=0}^{(df-2)/2} Gamma(k + 1/2) / (Gamma(1/2) k!) * cos(theta)^(2k)
        df odd:  A = (2 / pi) * (theta + sin(theta) * sum_{k=0}^{(df-3)/2} k! Gamma(3/2) / Gamma(k + 3/2)
                                              * cos(theta)^(2k+1))
    exact up to floating point for every integer df. Null when t or df is null or df < 1. -#}
{% macro student_t_two_sided_p(t, df) -%}
    case
        when ({{ t }}) is null or isnan(({{ t }})) or ({{ df }}) is null or ({{ df }}) < 1 then null
        when ({{ df }}) % 2 = 0 then greatest(0.0, least(1.0, 1.0 - sin(atan(abs(({{ t }})) / sqrt(({{ df }}))))
            * list_sum(list_transform(
                range(0, cast(({{ df }}) as bigint) // 2),
                lambda k: exp(lgamma(k + 0.5) - lgamma(0.5) - lgamma(k + 1.0))
                    * pow(cos(atan(abs(({{ t }})) / sqrt(({{ df }})))), 2 * k)
            ))))
        else greatest(0.0, least(1.0, 1.0 - 2.0 / pi() * (
            atan(abs(({{ t }})) / sqrt(({{ df }})))
            + sin(atan(abs(({{ t }})) / sqrt(({{ df }}))))
            * coalesce(list_sum(list_transform(
                range(0, (cast(({{ df }}) as bigint) - 1) // 2),
                lambda k: exp(lgamma(k + 1.0) + lgamma(1.5) - lgamma(k + 1.5))
                    * pow(cos(atan(abs(({{ t }})) / sqrt(({{ df }})))), 2 * k + 1)
            )), 0.0)
        )))
    end
{%- endmacro %}
