"""SEC EDGAR disclosures: submissions, companyfacts and the revenue facts of each filing's XBRL."""
