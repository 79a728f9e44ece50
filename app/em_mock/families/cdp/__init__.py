"""Continuous data protection: CDP policies, their replicas and replication sessions."""
