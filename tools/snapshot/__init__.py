"""Seeded generators of the bundled offline snapshot under `orchestration/snapshot/data/` (`make snapshot`):
`market` writes the Yahoo chart responses, `sec` the EDGAR bodies, each with its planted truth. The runtime
only replays what they wrote."""
