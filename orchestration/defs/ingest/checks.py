"""The gate on raw market data: its GE suite must pass before anything downstream runs."""

from orchestration.defs.quality.gates import gate_check

raw_market_prices_gate = gate_check("raw_market_prices", "raw.market_prices", id_columns=["ticker", "date"])
