"""The fleet's local time zone: pages, reports, quiet hours, maintenance windows and business hours keep its clock."""

from zoneinfo import ZoneInfo

LOCAL_ZONE_NAME = "Europe/Amsterdam"
LOCAL = ZoneInfo(LOCAL_ZONE_NAME)
