"""Quality flags: facts read from a submission, checks against the project's settings,
outlier fences among peers, durations from the audit log, recorded at ingestion."""
