"""int_event_residual_correlations' matrix form of the pairwise correlations, against pandas' pairwise corr.

Fast: no warehouse and no dbt. The model file is imported as a module.
"""

import itertools

import numpy as np
import pandas as pd
import pytest

from orchestration.defs.dbt.python_models import load_python_model


@pytest.fixture(scope="module")
def correlations_model():
    return load_python_model("int_event_residual_correlations")


def long_residuals(matrix: pd.DataFrame, event_id: str = "ev", model: str = "market") -> pd.DataFrame:
    """A (sessions x tickers) frame as int_event_abnormal_returns' rows, missing cells left out."""
    rows = matrix.rename_axis(index="relative_session", columns="ticker").stack().rename("abnormal_return")
    return rows.reset_index().assign(event_id=event_id, model=model)


def by_group(residuals: pd.DataFrame):
    """The model's per-event-and-model reader, over a frame of long residuals."""
    groups = dict(iter(residuals.groupby(["event_id", "model"], sort=False)))
    return lambda event_id, model: groups.get((event_id, model), residuals.iloc[:0])


def window_firms(tickers: list[str], window_label: str = "[0,0]", event_id: str = "ev", model: str = "market"):
    return pd.DataFrame({"event_id": event_id, "model": model, "window_label": window_label, "ticker": tickers})


def test_hadamard_groups_give_a_quarter(correlations_model):
    """Three groups of three firms with the same series (correlation 1), the groups' series orthogonal
    (correlation 0): 9 of the 36 pairs correlate, r = 0.25. A firm outside the window plays no part."""
    hadamard = {"a": [1, -1, 1, -1], "b": [1, 1, -1, -1], "c": [1, -1, -1, 1]}
    matrix = pd.DataFrame(
        {f"M{3 * g + k + 1}": np.array(series) / 64 for g, series in enumerate(hadamard.values()) for k in range(3)}
        | {"CRWV": [1 / 64, 2 / 64, 3 / 64, 4 / 64]},
        index=[-5, -4, -3, -2],
    )
    firms = window_firms([f"M{i}" for i in range(1, 10)])
    [row] = correlations_model.mean_correlations(by_group(long_residuals(matrix)), firms).to_pylist()
    assert row["n_firm_pairs"] == 36
    assert row["mean_residual_correlation"] == pytest.approx(0.25, abs=1e-15)


def test_pairwise_complete_matches_pandas(correlations_model):
    """Gappy residuals of 30 firms over 120 sessions, two events, two models and two windows: each window's mean
    equals the mean of pandas' pairwise-complete correlations over its firms' pairs."""
    rng = np.random.default_rng(7)
    tickers = [f"T{i:02d}" for i in range(30)]
    shared = rng.normal(0, 0.02, size=(120, 1))
    residuals, firms, expected = [], [], {}
    for event_id, model in itertools.product(["ev1", "ev2"], ["market", "market_btc"]):
        matrix = pd.DataFrame(shared + rng.normal(0.001, 0.03, size=(120, 30)), index=range(-125, -5), columns=tickers)
        matrix = matrix.mask(rng.random(matrix.shape) < 0.15)  # about 18 missing sessions per firm
        residuals.append(long_residuals(matrix, event_id, model))
        reference = matrix.corr()
        for window_label, members in {"[0,0]": tickers, "[-1,+1]": tickers[::3]}.items():
            firms.append(window_firms(members, window_label, event_id, model))
            pairs = [reference.loc[a, b] for a, b in itertools.combinations(members, 2)]
            expected[event_id, model, window_label] = (len(pairs), float(np.mean(pairs)))
    table = correlations_model.mean_correlations(by_group(pd.concat(residuals)), pd.concat(firms))
    got = {
        (row["event_id"], row["model"], row["window_label"]): (row["n_firm_pairs"], row["mean_residual_correlation"])
        for row in table.to_pylist()
    }
    assert set(got) == set(expected)
    for key, (n_pairs, mean) in expected.items():
        assert got[key][0] == n_pairs
        assert got[key][1] == pytest.approx(mean, rel=1e-12, abs=1e-15), key


def test_pairs_without_a_correlation_are_left_out(correlations_model):
    """A pair sharing one session, and a firm without variance, have no correlation; a window whose pairs all
    lack one, or of a single firm, has a null mean. The other pairs' mean is unaffected."""
    nan = np.nan
    matrix = pd.DataFrame(
        {
            "A": [0.01, -0.02, 0.03, nan, nan],
            "B": [0.02, -0.01, 0.05, nan, nan],
            "C": [nan, nan, 0.01, 0.02, -0.01],  # shares one session with A and B
            "D": [0.01, 0.01, 0.01, 0.01, 0.01],  # no variance
        },
        index=[-5, -4, -3, -2, -1],
    )
    firms = pd.concat(
        [
            window_firms(["A", "B", "C", "D"], "[0,0]"),
            window_firms(["C", "D"], "[-1,+1]"),
            window_firms(["A"], "[0,+5]"),
        ]
    )
    rows = {
        row["window_label"]: row
        for row in correlations_model.mean_correlations(by_group(long_residuals(matrix)), firms).to_pylist()
    }
    assert rows["[0,0]"]["n_firm_pairs"] == 1
    assert rows["[0,0]"]["mean_residual_correlation"] == pytest.approx(matrix["A"].corr(matrix["B"]), rel=1e-12)
    assert (rows["[-1,+1]"]["n_firm_pairs"], rows["[-1,+1]"]["mean_residual_correlation"]) == (0, None)
    assert (rows["[0,+5]"]["n_firm_pairs"], rows["[0,+5]"]["mean_residual_correlation"]) == (0, None)


def test_an_event_without_residuals_has_no_pairs(correlations_model):
    """A window whose event and model have no estimation residuals at all: no pairs, a null mean."""
    matrix = pd.DataFrame({"A": [0.01, -0.02, 0.03], "B": [0.02, -0.01, 0.05]}, index=[-3, -2, -1])
    firms = pd.concat([window_firms(["A", "B"]), window_firms(["A", "B"], event_id="quiet")])
    rows = {
        row["event_id"]: row
        for row in correlations_model.mean_correlations(by_group(long_residuals(matrix)), firms).to_pylist()
    }
    assert rows["ev"]["n_firm_pairs"] == 1
    assert (rows["quiet"]["n_firm_pairs"], rows["quiet"]["mean_residual_correlation"]) == (0, None)
