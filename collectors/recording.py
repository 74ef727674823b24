"""ONVIF Profile G: which recordings a recording device keeps, their footage's span, their jobs and their gaps.

Asked through onvif-zeep-async's own recording and search services (its recording.wsdl and search.wsdl), with the
same capped transport, safe parser settings and error translation as the identity check. Everything past this
module sees `RecordingObservation`, never zeep objects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from onvif import ONVIFError, ONVIFService

from collectors.base import RecordingObservation, RecordingSeen, Target
from collectors.errors import BadResponse, Unsupported
from collectors.http import CappedZeepTransport
from collectors.onvif_identity import camera_for, cap_service, edge, optional
from config.checks import CheckKind
from config.recording import HISTORY

log = logging.getLogger(__name__)

# A device answering a search page after page, or with endless results, is cut off here.
_MAX_SEARCH_ROUNDS = 20
_MAX_RESULTS = 10_000
_RECORDINGS_MAX = 1_000
_KEEP_ALIVE = "PT10S"
_WAIT = "PT1S"
_HISTORY_TOPIC = "RecordingHistory/Track/State"


def _get(value: Any, *path: str) -> Any:
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


def _unwrap(answer: Any, part: str) -> Any:
    # zeep hands back a response's only part itself; a response object with the part is taken apart here.
    inner = getattr(answer, part, None)
    return answer if inner is None else inner


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:200] or None


def _moment(value: Any) -> datetime | None:
    # zeep parses xs:dateTime; a time without a zone is the device's UTC (ONVIF times are UTC).
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value)[:_RECORDINGS_MAX] if isinstance(value, list | tuple) else [value]


class RecordingCollector:
    """GetRecordings, GetRecordingJobs/GetRecordingJobState, the search service's summary, recordings and events."""

    kind = CheckKind.RECORDING

    def __init__(self, transport: CappedZeepTransport) -> None:
        self._transport = transport

    async def collect(self, target: Target) -> RecordingObservation:
        """Read the recordings and their state; Unsupported when the device has no recording service."""
        device = camera_for(target)
        try:
            async with edge(target, "GetServices"):
                cap_service(await device.create_devicemgmt_service(), target, self._transport)
                await device.update_xaddrs()
            try:
                recording = cap_service(await device.create_recording_service(), target, self._transport)
                search = cap_service(await device.create_search_service(), target, self._transport)
            except ONVIFError as exc:
                raise Unsupported("the device offers no ONVIF recording and search services") from exc
            return await self._read(target, recording, search)
        finally:
            await device.close()

    async def _read(self, target: Target, recording: ONVIFService, search: ONVIFService) -> RecordingObservation:
        async with edge(target, "GetRecordings"):
            recordings = _items(await recording.GetRecordings())
        jobs = await self._job_states(target, recording)
        async with edge(target, "GetRecordingSummary"):
            summary = _unwrap(await search.GetRecordingSummary(), "Summary")
        # Footage is judged at the later of our clock and the device's newest data: a device clock running ahead
        # must not make fresh footage look stale; one running behind leaves it judged by our time.
        asked_at = _moment(_get(summary, "DataUntil")) or datetime.now(UTC)
        asked_at = max(asked_at, datetime.now(UTC))
        spans = await self._spans(target, search, [t for r in recordings if (t := _text(_get(r, "RecordingToken")))])
        gaps = await optional(target, "FindEvents", lambda: self._gaps(target, search, asked_at))
        seen = []
        for item in recordings:
            token = _text(_get(item, "RecordingToken"))
            if token is None:
                continue
            source = _get(item, "Configuration", "Source")
            earliest, latest = spans.get(token, (None, None))
            seen.append(
                RecordingSeen(
                    token=token,
                    source_id=_text(_get(source, "SourceId")),
                    source_name=_text(_get(source, "Name")),
                    source_address=_text(_get(source, "Address")),
                    earliest=earliest,
                    latest=latest,
                    job_state=jobs.get(token),
                    gaps=None if gaps is None else tuple(gaps.get(token, ())),
                )
            )
        return RecordingObservation(asked_at=asked_at, recordings=tuple(seen), history_searched=gaps is not None)

    async def _job_states(self, target: Target, recording: ONVIFService) -> dict[str, str]:
        """The best state of any job per recording token: active before partially active, idle or error."""
        async with edge(target, "GetRecordingJobs"):
            jobs = _items(await recording.GetRecordingJobs())
        rank = {"active": 3, "partiallyactive": 2, "idle": 1, "error": 0}
        states: dict[str, str] = {}
        for job in jobs:
            token = _text(_get(job, "JobToken"))
            owner = _text(_get(job, "JobConfiguration", "RecordingToken"))
            if token is None or owner is None:
                continue
            async with edge(target, "GetRecordingJobState"):
                answer = await recording.GetRecordingJobState({"JobToken": token})
            # The answer's State part (RecordingJobStateInformation) holds its own State, or zeep unwrapped it.
            found = _get(answer, "State")
            state = (_text(found if isinstance(found, str) else _get(found, "State")) or "error").lower()
            state = state if state in rank else "error"
            if rank[state] > rank.get(states.get(owner, ""), -1):
                states[owner] = state
        return states

    async def _spans(
        self, target: Target, search: ONVIFService, tokens: list[str]
    ) -> dict[str, tuple[datetime | None, datetime | None]]:
        """Earliest and latest footage per recording: FindRecordings' results, else GetRecordingInformation each."""
        found = await optional(target, "FindRecordings", lambda: self._find_recordings(target, search))
        spans = found or {}
        for token in tokens:
            if token in spans:
                continue
            async with edge(target, "GetRecordingInformation"):
                info = _unwrap(await search.GetRecordingInformation({"RecordingToken": token}), "RecordingInformation")
            spans[token] = (_moment(_get(info, "EarliestRecording")), _moment(_get(info, "LatestRecording")))
        return spans

    async def _find_recordings(
        self, target: Target, search: ONVIFService
    ) -> dict[str, tuple[datetime | None, datetime | None]]:
        async with edge(target, "FindRecordings"):
            found = await search.FindRecordings(
                {"Scope": {}, "MaxMatches": _RECORDINGS_MAX, "KeepAliveTime": _KEEP_ALIVE}
            )
            token = _text(_unwrap(found, "SearchToken"))
        if token is None:
            raise BadResponse("FindRecordings gave no search token")
        spans: dict[str, tuple[datetime | None, datetime | None]] = {}
        for info in await self._results(target, search, "GetRecordingSearchResults", token, "RecordingInformation"):
            recording = _text(_get(info, "RecordingToken"))
            if recording is not None:
                spans[recording] = (_moment(_get(info, "EarliestRecording")), _moment(_get(info, "LatestRecording")))
        return spans

    async def _results(self, target: Target, search: ONVIFService, operation: str, token: str, field: str) -> list[Any]:
        """Every result of a search, page by page until the device says it is completed, within our limits."""
        results: list[Any] = []
        for _round in range(_MAX_SEARCH_ROUNDS):
            async with edge(target, operation):
                answer = await getattr(search, operation)({"SearchToken": token, "MaxResults": 1000, "WaitTime": _WAIT})
            page = _unwrap(answer, "ResultList")
            results.extend(_items(_get(page, field)))
            if (_text(_get(page, "SearchState")) or "").lower() == "completed" or len(results) >= _MAX_RESULTS:
                return results[:_MAX_RESULTS]
        raise BadResponse(f"{operation} never completed")

    async def _gaps(
        self, target: Target, search: ONVIFService, now: datetime
    ) -> dict[str, list[tuple[datetime, datetime]]]:
        """Spans without data in the last day, per recording, from the RecordingHistory track state events."""
        start = now - HISTORY
        async with edge(target, "FindEvents"):
            token = _text(
                _unwrap(
                    await search.FindEvents(
                        {
                            "StartPoint": start,
                            "EndPoint": now,
                            "Scope": {},
                            # EventFilter is xs:any: an empty one asks for every event; history is picked out below.
                            "SearchFilter": {},
                            "IncludeStartState": True,
                            "KeepAliveTime": _KEEP_ALIVE,
                        }
                    ),
                    "SearchToken",
                )
            )
        if token is None:
            raise BadResponse("FindEvents gave no search token")
        changes: dict[str, list[tuple[datetime, bool]]] = {}
        for result in await self._results(target, search, "GetEventSearchResults", token, "Result"):
            recording, at, present = _history_change(result)
            if recording is not None and at is not None and present is not None:
                changes.setdefault(recording, []).append((max(at, start), present))
        return {recording: gaps_of(sorted(events), start, now) for recording, events in changes.items()}


def _history_change(result: Any) -> tuple[str | None, datetime | None, bool | None]:
    """(recording, time, whether data is present from then on) of one FindEvents result, or Nones."""
    topic = _get(result, "Event", "Topic")
    topic_text = _text(_get(topic, "_value_1") if not isinstance(topic, str) else topic) or ""
    if _HISTORY_TOPIC not in topic_text:
        return None, None, None
    message = _get(result, "Event", "Message", "_value_1")
    present = None
    # zeep reads the tt:Message into an object with the schema at hand, else leaves it an lxml element.
    if isinstance(message, etree._Element):
        items = [(i.get("Name"), i.get("Value")) for i in message.iterfind("{*}Data/{*}SimpleItem")]
    else:
        items = [(_get(i, "Name"), _get(i, "Value")) for i in _items(_get(message, "Data", "SimpleItem"))]
    for name, value in items:
        if name == "IsDataPresent":
            present = {"true": True, "false": False}.get(str(value).strip().lower())
    return _text(_get(result, "RecordingToken")), _moment(_get(result, "Time")), present


def gaps_of(
    changes: Iterable[tuple[datetime, bool]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The spans within [start, end] without data, from (time, data present from then on) changes in time order."""
    gaps: list[tuple[datetime, datetime]] = []
    missing_since: datetime | None = None
    for at, present in changes:
        at = min(max(at, start), end)
        if not present and missing_since is None:
            missing_since = at
        elif present and missing_since is not None:
            if at > missing_since:
                gaps.append((missing_since, at))
            missing_since = None
    if missing_since is not None and end > missing_since:
        gaps.append((missing_since, end))
    return gaps
