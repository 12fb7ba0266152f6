"""The bundled offline snapshot: synthetic market data with planted ground truth."""
