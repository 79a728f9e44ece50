"""Agents: protection groups and the computers discovered in them."""
