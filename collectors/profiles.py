"""The one cache of cameras' media profiles, for the stream and image checks.

A stream or image check needs the camera's main media profile (its RTSP and snapshot URIs). It takes, in order:
1. the profile the last identity check stored (the poller passes it in on the target);
2. the profile an identity check of the same batch is finding right now (`expect`), rather than each check asking
   the camera again;
3. one ONVIF lookup per camera per time-to-live, shared by the checks that ask at the same time.

A lookup that failed, or an identity check that found no profile, is not kept: the next check asks the camera.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from collectors.base import MediaProfile, Target

ProfileLookup = Callable[[Target], Awaitable[MediaProfile | None]]
Resolve = Callable[[MediaProfile | None], None]
# How long a profile asked over ONVIF serves the other checks of the same camera (stream and image run in the same
# round; after the first identity result the poller passes the stored profile instead).
_TTL_S = 300.0
_Key = tuple[int, str, int]


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    answer: asyncio.Future[MediaProfile | None]
    expected: bool  # an identity check's result to come, not a lookup of our own


def _key(target: Target) -> _Key:
    return (target.camera_id, target.host, target.onvif_port)


class MediaProfiles:
    """Media profiles stored, being found, or asked once: what the stream and image checks look in."""

    def __init__(self, lookup: ProfileLookup, ttl_s: float = _TTL_S) -> None:
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._entries: dict[_Key, _Entry] = {}

    async def __call__(self, target: Target) -> MediaProfile | None:
        """The camera's main profile: the stored one, else the one being found, else asked once per time-to-live."""
        if target.media is not None:
            return target.media
        key = _key(target)
        while True:
            entry = self._current(key)
            if entry is None:
                entry = self._add(key, asyncio.ensure_future(self._lookup(target)), expected=False)
            # Shielded: a check that runs out of time does not cancel the answer another check waits for.
            found = await asyncio.shield(entry.answer)
            if found is not None or not entry.expected:
                return found

    def expect(self, target: Target) -> Resolve:
        """An identity check of this camera is about to run: the checks that need its profile wait for it."""
        answer: asyncio.Future[MediaProfile | None] = asyncio.get_running_loop().create_future()
        self._add(_key(target), answer, expected=True)

        def resolve(profile: MediaProfile | None) -> None:
            if not answer.done():
                answer.set_result(profile)

        return resolve

    async def expected(self, target: Target) -> MediaProfile | None:
        """What the identity check being waited for found; None if none is expected or it found nothing."""
        entry = self._current(_key(target))
        if entry is None or not entry.expected:
            return None
        return await asyncio.shield(entry.answer)

    def _current(self, key: _Key) -> _Entry | None:
        now = asyncio.get_running_loop().time()
        self._entries = {k: e for k, e in self._entries.items() if e.expires > now and not _found_nothing(e)}
        return self._entries.get(key)

    def _add(self, key: _Key, answer: asyncio.Future[MediaProfile | None], *, expected: bool) -> _Entry:
        entry = _Entry(asyncio.get_running_loop().time() + self._ttl_s, answer, expected)
        self._entries[key] = entry
        answer.add_done_callback(partial(self._settled, key, entry))
        return entry

    def _settled(self, key: _Key, entry: _Entry, answer: asyncio.Future[MediaProfile | None]) -> None:
        # A failed lookup is not kept (and its exception counts as retrieved, whoever still waits).
        if (answer.cancelled() or answer.exception() is not None) and self._entries.get(key) is entry:
            del self._entries[key]


def _found_nothing(entry: _Entry) -> bool:
    """An identity check that found no profile: not kept, so the stream and image checks ask the camera themselves."""
    answer = entry.answer
    return entry.expected and answer.done() and not answer.cancelled() and answer.result() is None
