"""Questionnaires shipped with fieldapp, with their reference data (see README.md here)."""
