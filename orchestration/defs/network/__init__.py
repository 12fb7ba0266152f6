"""The bitcoin network's daily statistics: raw_network_daily."""
