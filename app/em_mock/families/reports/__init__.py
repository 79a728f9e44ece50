"""Summary reports: figures computed from the other families' data."""
