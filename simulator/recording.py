"""ONVIF Profile G on a simulated recorder (or edge-recording camera): the recording and search services.

Answers are built to onvif-zeep-async's recording.wsdl and search.wsdl (ONVIF ver10 recording and search) and
the tt: types of onvif.xsd. Each recording keeps one camera's footage; fault injection changes a recording: its
job stopped, a gap, footage reaching back too short or too long.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

NS_TRC = "http://www.onvif.org/ver10/recording/wsdl"
NS_TSE = "http://www.onvif.org/ver10/search/wsdl"
RECORDING_PATH = "/onvif/recording_service"
SEARCH_PATH = "/onvif/search_service"
_HISTORY = "tns1:RecordingHistory/Track/State"
_searches = itertools.count(1)


@dataclass(slots=True)
class SimRecording:
    """One camera's recording: which source, how far back it reaches, its job, and its gaps (times in UTC)."""

    token: str
    source_name: str
    source_address: str
    kept_days: float = 14.0
    job_state: str = "Active"  # ONVIF RecordingJobState: Idle, Active, PartiallyActive, Error
    # While stopped, the newest footage is from this long ago.
    stopped_for: timedelta = timedelta(0)
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)

    def span(self, now: datetime) -> tuple[datetime, datetime]:
        """Earliest and latest footage now."""
        return now - timedelta(days=self.kept_days), now - self.stopped_for


JOB_STATES = ("Idle", "Active", "PartiallyActive", "Error")


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 400 * 86400:
        raise ValueError(f"{name}: expected a number of seconds from 0 to 400 days, got {value!r}")
    return float(value)


def change(recording: SimRecording, body: Mapping[str, Any], now: datetime) -> None:
    """Fault injection on one recording (the control API): ``job_state``, ``stopped_for_s`` (the newest footage
    this long ago), ``kept_days`` (how far back footage reaches), ``gaps`` ([[from_s_ago, to_s_ago], …] within the
    last day, replacing the gaps). Everything is checked before anything changes."""
    unknown = set(body) - {"job_state", "stopped_for_s", "kept_days", "gaps"}
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))}: unknown (settable: job_state, stopped_for_s, kept_days, gaps)")
    job_state = body.get("job_state", recording.job_state)
    if job_state not in JOB_STATES:
        raise ValueError(f"job_state: expected one of {', '.join(JOB_STATES)}, got {job_state!r}")
    stopped_for = _seconds("stopped_for_s", body.get("stopped_for_s", recording.stopped_for.total_seconds()))
    kept_days = body.get("kept_days", recording.kept_days)
    if isinstance(kept_days, bool) or not isinstance(kept_days, int | float) or not 0 < kept_days <= 400:
        raise ValueError(f"kept_days: expected a number of days from 0 to 400, got {kept_days!r}")
    gaps = recording.gaps
    if "gaps" in body:
        pairs = body["gaps"]
        shaped = isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs)
        if not shaped or len(pairs) > 100:
            raise ValueError("gaps: expected a list of at most 100 [from_s_ago, to_s_ago] pairs")
        spans = [(_seconds("gaps", a), _seconds("gaps", b)) for a, b in pairs]
        if any(b >= a for a, b in spans):
            raise ValueError("gaps: each gap starts longer ago than it ends")
        gaps = [(now - timedelta(seconds=a), now - timedelta(seconds=b)) for a, b in spans]
    recording.job_state, recording.stopped_for = job_state, timedelta(seconds=stopped_for)
    recording.kept_days, recording.gaps = float(kept_days), gaps


def describe(recording: SimRecording) -> dict[str, Any]:
    """A recording as the control API shows it."""
    return {
        "token": recording.token,
        "source": recording.source_name,
        "job_state": recording.job_state,
        "stopped_for_s": recording.stopped_for.total_seconds(),
        "kept_days": recording.kept_days,
        "gaps": [[a.isoformat(), b.isoformat()] for a, b in recording.gaps],
    }


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _source(recording: SimRecording) -> str:
    return (
        f"<tt:SourceId>{escape(recording.source_name)}</tt:SourceId><tt:Name>{escape(recording.source_name)}</tt:Name>"
        "<tt:Location>street</tt:Location><tt:Description>camera</tt:Description>"
        f"<tt:Address>{escape(recording.source_address)}</tt:Address>"
    )


def get_recordings(recordings: list[SimRecording]) -> str:
    """GetRecordingsResponse: every recording with its source and one video track."""
    items = "".join(
        f"<trc:RecordingItem><tt:RecordingToken>{escape(r.token)}</tt:RecordingToken><tt:Configuration>"
        f"<tt:Source>{_source(r)}</tt:Source><tt:Content>video</tt:Content>"
        "<tt:MaximumRetentionTime>PT0S</tt:MaximumRetentionTime></tt:Configuration><tt:Tracks><tt:Track>"
        "<tt:TrackToken>VIDEO001</tt:TrackToken><tt:Configuration><tt:TrackType>Video</tt:TrackType>"
        "<tt:Description>video</tt:Description></tt:Configuration></tt:Track></tt:Tracks></trc:RecordingItem>"
        for r in recordings
    )
    return f'<trc:GetRecordingsResponse xmlns:trc="{NS_TRC}">{items}</trc:GetRecordingsResponse>'


def get_recording_jobs(recordings: list[SimRecording]) -> str:
    """GetRecordingJobsResponse: one job per recording."""
    items = "".join(
        f"<trc:JobItem><tt:JobToken>JOB-{escape(r.token)}</tt:JobToken><tt:JobConfiguration>"
        f"<tt:RecordingToken>{escape(r.token)}</tt:RecordingToken>"
        f"<tt:Mode>{'Idle' if r.job_state == 'Idle' else 'Active'}</tt:Mode><tt:Priority>1</tt:Priority>"
        "</tt:JobConfiguration></trc:JobItem>"
        for r in recordings
    )
    return f'<trc:GetRecordingJobsResponse xmlns:trc="{NS_TRC}">{items}</trc:GetRecordingJobsResponse>'


def get_recording_job_state(recordings: list[SimRecording], job: str) -> str | None:
    """GetRecordingJobStateResponse for a job token, or None when there is no such job."""
    for r in recordings:
        if f"JOB-{r.token}" == job:
            return (
                f'<trc:GetRecordingJobStateResponse xmlns:trc="{NS_TRC}"><trc:State>'
                f"<tt:RecordingToken>{escape(r.token)}</tt:RecordingToken><tt:State>{escape(r.job_state)}</tt:State>"
                "</trc:State></trc:GetRecordingJobStateResponse>"
            )
    return None


def _information(r: SimRecording, now: datetime) -> str:
    earliest, latest = r.span(now)
    status = "Recording" if r.job_state in ("Active", "PartiallyActive") else "Stopped"
    return (
        f"<tt:RecordingToken>{escape(r.token)}</tt:RecordingToken><tt:Source>{_source(r)}</tt:Source>"
        f"<tt:EarliestRecording>{_time(earliest)}</tt:EarliestRecording>"
        f"<tt:LatestRecording>{_time(latest)}</tt:LatestRecording><tt:Content>video</tt:Content>"
        f"<tt:Track><tt:TrackToken>VIDEO001</tt:TrackToken><tt:TrackType>Video</tt:TrackType>"
        f"<tt:Description>video</tt:Description><tt:DataFrom>{_time(earliest)}</tt:DataFrom>"
        f"<tt:DataTo>{_time(latest)}</tt:DataTo></tt:Track><tt:RecordingStatus>{status}</tt:RecordingStatus>"
    )


def get_recording_summary(recordings: list[SimRecording], now: datetime) -> str:
    """GetRecordingSummaryResponse: the span of all footage."""
    spans = [r.span(now) for r in recordings] or [(now, now)]
    return (
        f'<tse:GetRecordingSummaryResponse xmlns:tse="{NS_TSE}"><tse:Summary>'
        f"<tt:DataFrom>{_time(min(s[0] for s in spans))}</tt:DataFrom>"
        f"<tt:DataUntil>{_time(max(s[1] for s in spans))}</tt:DataUntil>"
        f"<tt:NumberRecordings>{len(recordings)}</tt:NumberRecordings></tse:Summary></tse:GetRecordingSummaryResponse>"
    )


def get_recording_information(recordings: list[SimRecording], token: str, now: datetime) -> str | None:
    """GetRecordingInformationResponse for a recording token, or None when there is no such recording."""
    for r in recordings:
        if r.token == token:
            return (
                f'<tse:GetRecordingInformationResponse xmlns:tse="{NS_TSE}"><tse:RecordingInformation>'
                f"{_information(r, now)}</tse:RecordingInformation></tse:GetRecordingInformationResponse>"
            )
    return None


def search_started(kind: str) -> str:
    """FindRecordingsResponse or FindEventsResponse with a new search token."""
    return (
        f'<tse:{kind}Response xmlns:tse="{NS_TSE}"><tse:SearchToken>search-{next(_searches)}</tse:SearchToken>'
        f"</tse:{kind}Response>"
    )


def recording_search_results(recordings: list[SimRecording], now: datetime) -> str:
    """GetRecordingSearchResultsResponse: every recording, the search completed."""
    found = "".join(f"<tt:RecordingInformation>{_information(r, now)}</tt:RecordingInformation>" for r in recordings)
    return (
        f'<tse:GetRecordingSearchResultsResponse xmlns:tse="{NS_TSE}"><tse:ResultList>'
        f"<tt:SearchState>Completed</tt:SearchState>{found}</tse:ResultList></tse:GetRecordingSearchResultsResponse>"
    )


def _history_event(r: SimRecording, at: datetime, present: bool, start_state: bool) -> str:
    return (
        f"<tt:Result><tt:RecordingToken>{escape(r.token)}</tt:RecordingToken><tt:TrackToken>VIDEO001</tt:TrackToken>"
        f"<tt:Time>{_time(at)}</tt:Time><tt:Event>"
        f'<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">{_HISTORY}</wsnt:Topic>'
        f'<wsnt:Message><tt:Message UtcTime="{_time(at)}"><tt:Source>'
        f'<tt:SimpleItem Name="RecordingToken" Value={quoteattr(r.token)}/>'
        '<tt:SimpleItem Name="Track" Value="VIDEO001"/></tt:Source><tt:Data>'
        f'<tt:SimpleItem Name="IsDataPresent" Value="{"true" if present else "false"}"/></tt:Data></tt:Message>'
        f"</wsnt:Message></tt:Event><tt:StartStateEvent>{'true' if start_state else 'false'}</tt:StartStateEvent>"
        "</tt:Result>"
    )


def event_search_results(recordings: list[SimRecording], start: datetime, end: datetime) -> str:
    """GetEventSearchResultsResponse: each recording's state at the start, then its gaps' edges in the period."""
    results = []
    for r in recordings:
        earliest, latest = r.span(end)
        results.append(_history_event(r, start, earliest <= start, True))
        for gap_start, gap_end in sorted(r.gaps):
            if gap_end > start and gap_start < end:
                results.append(_history_event(r, max(gap_start, start), False, False))
                results.append(_history_event(r, min(gap_end, end), True, False))
        if latest < end:
            results.append(_history_event(r, max(latest, start), False, False))
    return (
        f'<tse:GetEventSearchResultsResponse xmlns:tse="{NS_TSE}"><tse:ResultList>'
        f"<tt:SearchState>Completed</tt:SearchState>{''.join(results)}</tse:ResultList>"
        "</tse:GetEventSearchResultsResponse>"
    )


def request_time(request: etree._Element, name: str) -> datetime | None:
    """A dateTime child of the request (FindEvents' StartPoint, EndPoint), or None."""
    element = request.find(f"{{{NS_TSE}}}{name}")
    if element is None or not element.text:
        return None
    try:
        return datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
