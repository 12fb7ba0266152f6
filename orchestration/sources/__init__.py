"""Source clients: each turns one external source (or its offline stand-in) into typed price rows."""
