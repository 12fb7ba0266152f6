"""Errors a source raises when its input is bad: the message names the ticker and the file or range."""


class MarketDataError(ValueError):
    """Bad market data; the message names the ticker and where the data came from."""


class SecDataError(ValueError):
    """Bad SEC data; the message names the CIK, the accession and the document or URL it came from."""
