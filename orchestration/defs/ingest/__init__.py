"""Extract: raw market data into the warehouse's raw schema."""
