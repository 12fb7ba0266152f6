"""Errors a source raises when its input is bad: the message names the ticker and the file or range."""


class MarketDataError(ValueError):
    """Bad market data; the message names the ticker and where the data came from."""


class SourceUnreachableError(MarketDataError):
    """The source could not be reached at all (DNS, connection refused, every item failing the same way): one
    error naming the host and the cause, instead of one 'missing' ticker per request."""


class SecDataError(ValueError):
    """Bad SEC data; the message names the CIK, the accession and the document or URL it came from."""


class SecPayloadError(SecDataError):
    """An item failed after responses for it arrived, before its asset saw them: JSON the client rejected
    (malformed, truncated, not an object) or a submissions index whose `filings.files` list is bad.

    It carries what arrived, so the asset keeps it like any raw payload: `body` is the rejected response as the
    client received it; `received` holds every response of the item that arrived (each a `Fetched`, body and
    the origin it is kept under), filled in by the source, which is what names payloads.
    """

    def __init__(self, message: str, body: bytes = b"", received: list | None = None) -> None:
        super().__init__(message)
        self.body = body
        self.received = list(received or [])


class NetworkDataError(ValueError):
    """Bad network data; the message names the file (or URL) and the field it could not read."""
