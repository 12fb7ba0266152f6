"""Quality gates: Great Expectations suites from expectations/, run as blocking asset checks."""
