"""mart_network_economics on the real network files: its hashprice is the hand computation from the CoinMetrics
CSV's own columns, and the 2024 halving halves it."""

import pandas as pd
import pytest

from tests.real_data.conftest import RealRun


@pytest.fixture(scope="module")
def served(real_run: RealRun) -> pd.DataFrame:
    if real_run.network_dir is None:
        pytest.skip("the shared real network files are not available here")
    assert real_run.returncode == 0, real_run.output[-6000:]
    frame = real_run.serving(
        "select network_date, hashprice_usd_per_phs_day, miners_revenue_basis from marts.mart_network_economics"
    )
    return frame.set_index(pd.to_datetime(frame.network_date).dt.strftime("%Y-%m-%d"))


def test_hashprice_is_the_hand_computation_on_every_coinmetrics_day(real_run: RealRun, served: pd.DataFrame):
    (csv,) = real_run.network_dir.glob("coinmetrics_btc_*.csv")
    columns = pd.read_csv(csv, index_col="time")
    by_hand = ((columns.IssTotUSD + columns.FeeTotNtv * columns.PriceUSD) / (columns.HashRate / 1000)).dropna()
    covered = by_hand[(by_hand.index >= served.index.min()) & (by_hand.index <= served.index.max())]
    assert len(covered) > 1000
    assert set(covered.index) <= set(served.index)
    mart = served.loc[covered.index]
    assert (mart.miners_revenue_basis == "issuance_plus_fees").all()
    relative = (mart.hashprice_usd_per_phs_day - covered).abs() / covered
    assert relative.max() <= 1e-9, relative.idxmax()


def test_the_halving_halves_hashprice(served: pd.DataFrame):
    hashprice = served.hashprice_usd_per_phs_day
    week_before = hashprice["2024-04-13":"2024-04-19"].mean()
    may = hashprice["2024-05-01":"2024-05-31"].mean()  # after the runes launch's week of high fees
    assert 0.4 < may / week_before < 0.6
