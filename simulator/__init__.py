"""Simulated CCTV cameras (ONVIF, snapshots, RTSP, SNMP) on loopback addresses, with fault injection.

Entry points: `simulator.fleet.serve` / `run` for the CLI, `simulator.fleet.SimulatedFleet` in process.
"""
