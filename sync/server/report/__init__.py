"""The living income report: per household, per group, charts, HTML and JSON."""
