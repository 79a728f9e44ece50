"""Restore points: backups' restore points, VM restore and replica points, backup files."""
