"""Image health: what is kept of snapshots (statistics, a structure signature, a reference) and the rules."""
