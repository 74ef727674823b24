"""Firmware compliance: advisories per vendor and model, and a firmware state per camera."""
