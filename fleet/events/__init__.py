"""Events cameras push between polls (ONVIF PullPoint, SNMP traps): evidence that makes checks run now."""
