"""Reads one ONVIF device with PyPI's libonvif, an ONVIF client camfleet does not use, and prints JSON.

Run with the interop environment's Python (see the Makefile): libonvif's dependencies clash with camfleet's,
so it lives in a virtual environment of its own. Usage: libonvif_probe.py HOST PORT [USER PASSWORD]
"""

import json
import sys

from libonvif.devices.camera import (
    Camera,
    get_capabilities,
    get_device_information,
    get_network_interfaces,
    get_profiles,
    get_snapshot_uri,
    get_stream_uri,
    get_system_date_and_time,
)


def main() -> None:
    host, port = sys.argv[1], sys.argv[2]
    user, password = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)
    xaddr = f"http://{host}:{port}/onvif/device_service"
    errors = []
    camera = Camera(xaddr=xaddr, username=user, password=password, on_error=lambda _x, ex: errors.append(str(ex)))
    clock = get_system_date_and_time(xaddr)
    get_capabilities(camera)
    if camera.capabilities.device is None:  # refused (wrong credentials): report and stop
        print(json.dumps({"errors": errors or ["no capabilities"]}))
        return
    get_device_information(camera)
    get_network_interfaces(camera)
    get_profiles(camera)
    for profile in camera.profiles:
        get_stream_uri(camera, profile)
        get_snapshot_uri(camera, profile)
    info = camera.device_information
    print(
        json.dumps(
            {
                "clock_year": getattr(getattr(getattr(clock, "utc_date_time", None), "date", None), "year", None),
                "manufacturer": info.manufacturer,
                "model": info.model,
                "firmware": info.firmware_version,
                "serial": info.serial_number,
                "macs": [getattr(getattr(n, "info", None), "hw_address", None) for n in camera.network_interfaces],
                "profiles": [
                    {"token": p.token, "stream_uri": p.stream_uri, "snapshot_uri": p.snapshot_uri}
                    for p in camera.profiles
                ],
                "errors": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
