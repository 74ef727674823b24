"""The event settings: ONVIF PullPoint subscriptions and SNMP traps, the pushes that make checks run now."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from config.durations import Duration
from config.section import Section


class EventSettings(Section):
    enabled: bool = True
    # Asked for each PullPoint subscription. Renewing too often crashes some cameras, so not short; a camera that
    # grants less (some read the number in the wrong unit) is renewed by what it granted, never by what was asked.
    subscription_time: Duration = timedelta(minutes=10)
    # A subscription is renewed once this fraction of what the camera granted has passed.
    renew_at: float = Field(default=0.5, gt=0.1, le=0.9, description="fraction of the granted time")
    # Renewals never come closer together than this, whatever the camera granted.
    renew_min: Duration = timedelta(seconds=5)
    # How long one PullMessages may wait for messages at the camera (a long poll). Events come at once whatever it
    # is; a quiet camera costs a pull per this (at 10 s, 5,000 pulls a second for 50,000 cameras: about 1.3 cores;
    # benchmarks/event_hold.py). 60 s is what Home Assistant's ONVIF integration asks of every camera; one that
    # supports less says so (PullMessagesFaultResponse) and is pulled as long as it says, one that answers sooner
    # is pulled again. A pull that has not answered after this plus scheduler.device_timeout counts as failed (some
    # firmwares never answer), so a camera that vanishes mid-pull is subscribed again after up to 70 s.
    pull_timeout: Duration = timedelta(seconds=60)
    # Subscriptions being made at once by one collector (CreatePullPointSubscription with the look-up of the events
    # address before it, first ones and those made again after a failure). A collector starting, taking over a group
    # or seeing many cameras come back would otherwise make every camera's at once: 20,000 requests in flight
    # starve the collector, and its own load must never make cameras look late or failed. Pulls are not bounded
    # (long polls that mostly wait), nor renewals (one per camera now and then; one waiting behind subscriptions
    # to cameras that do not answer could let a working subscription lapse). The wait for a turn is not part of
    # scheduler.device_timeout. Cameras in back-off (failed twice or more in a row) take a tenth of the turns, so a
    # group gone dark does not hold up the others. At 50 and 0.1 s for each of the two requests, 20,000 cameras are
    # subscribed in about 80 s (worked out, not measured).
    subscribe_concurrency: int = Field(default=50, ge=1, le=10_000)
    # Messages asked for in one pull.
    pull_limit: int = Field(default=100, ge=1, le=1024)
    # After a failure the subscription is created again at once, then after twice as long each time, up to this.
    retry_max: Duration = timedelta(minutes=5)
    # A camera without a PullPoint is asked again after this (a firmware upgrade may bring one).
    unsupported_retry: Duration = timedelta(hours=24)
    # Events taken from one camera per second (a burst of ``rate_burst``); more are counted as dropped, and that
    # camera's pulls slow down, so one flooding camera never slows the others.
    rate_limit: float = Field(default=20.0, gt=0, le=10_000)
    rate_burst: int = Field(default=200, ge=1, le=100_000)
    # How often a collector looks for cameras whose subscription it should hold (new, lapsed, handed over).
    refresh: Duration = timedelta(seconds=15)
    # Events received are kept this long (the counts for ever).
    keep: Duration = timedelta(days=7)

    @model_validator(mode="after")
    def _renewals_fit(self) -> EventSettings:
        if self.renew_min >= self.subscription_time:
            raise ValueError("renew_min must be shorter than subscription_time")
        return self
