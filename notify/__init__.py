"""Notification delivery at the edge: Apprise sends what the alert domain (fleet.alerts) decided to send."""
