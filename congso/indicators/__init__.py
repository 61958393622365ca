"""Indicators: pre-aggregated statistics for dashboards, public statistics and reports (issue 7)."""
