"""Slack listeners, registered per surface."""
