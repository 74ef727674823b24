"""Repair tickets: the work that follows a hard fault, with its workflow, SLA and history."""
