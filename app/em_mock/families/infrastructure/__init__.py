"""Backup infrastructure: backup servers and their repositories."""
