"""The bitcoin network's daily statistics: the halving schedule, the file formats, the CoinMetrics API."""
