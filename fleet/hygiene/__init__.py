"""Cyber hygiene per camera: certificates, exposed services, NTP, and the configuration baseline with its drift."""
