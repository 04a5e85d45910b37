"""Notifiers act on recorded transitions: log, webhook, Alertmanager."""
