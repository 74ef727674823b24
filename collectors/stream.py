"""Stream check: RTSP OPTIONS and DESCRIBE on the profile's stream URI; the SDP's codec and picture size.

No media is ever set up or received: DESCRIBE proves the streaming service answers, knows the stream and lets us
in. Every read is bounded (header and body sizes); the overall time limit is run_check's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from collectors.authn import Offer
from collectors.authn import answer as login
from collectors.base import StreamObservation, Target
from collectors.errors import AuthFailed, BadResponse, Unreachable
from collectors.profiles import MediaProfiles
from config.checks import CheckKind

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 16 * 1024
MAX_SDP_BYTES = 64 * 1024
_USER_AGENT = "camfleet"
_STATUS = re.compile(r"^RTSP/1\.\d (\d{3})(?: (.*))?$")
# Static RTP payload types that carry video (RFC 3551).
_STATIC_VIDEO = {26: "JPEG", 32: "MPV", 34: "H263"}


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        """Every value of one header, in order."""
        return [value for key, value in self.headers if key == name.lower()]


def pinned(uri: str, host: str, default_port: int, schemes: tuple[str, ...]) -> tuple[str, str, int]:
    """The URI with its host replaced by the camera's own (a camera may not send us elsewhere), and the port.

    BadResponse when the scheme is not one of ``schemes`` or the URI cannot be read.
    """
    try:
        parts = urlsplit(uri)
        port = parts.port or default_port
    except ValueError as exc:
        raise BadResponse(f"unusable URI from the camera ({exc})") from exc
    if parts.scheme.lower() not in schemes:
        raise BadResponse(f"URI scheme {parts.scheme!r} is not one of {', '.join(schemes)}")
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, "")), host, port


class RtspSession:
    """One TCP connection speaking RTSP/1.0 requests and bounded answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer, self._cseq = reader, writer, 0

    @classmethod
    async def open(cls, host: str, port: int) -> RtspSession:
        """Connect; Unreachable when the port refuses."""
        try:
            reader, writer = await asyncio.open_connection(host, port, limit=MAX_HEAD_BYTES)
        except OSError as exc:
            raise Unreachable(f"RTSP port {port} refused the connection ({type(exc).__name__})") from exc
        return cls(reader, writer)

    async def close(self) -> None:
        """Close the connection without waiting for a polite goodbye."""
        self._writer.transport.abort()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()

    async def request(self, method: str, uri: str, headers: dict[str, str]) -> Answer:
        """Send one request and read its answer."""
        self._cseq += 1
        lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {self._cseq}", f"User-Agent: {_USER_AGENT}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        try:
            self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            await self._writer.drain()
            head = await self._reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError as exc:
            raise BadResponse(f"RTSP answer header over {MAX_HEAD_BYTES} bytes") from exc
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise Unreachable(f"RTSP connection closed before answering {method}") from exc
            raise BadResponse(f"RTSP answer to {method} cut off") from exc
        except OSError as exc:
            raise Unreachable(f"RTSP connection lost ({type(exc).__name__})") from exc
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        match = _STATUS.match(status_line)
        if match is None:
            raise BadResponse(f"not an RTSP answer to {method}")
        parsed = []
        for line in header_lines:
            key, sep, value = line.partition(":")
            if sep:
                parsed.append((key.strip().lower(), value.strip()))
        answer = Answer(int(match.group(1)), parsed, b"")
        lengths = answer.header("content-length")
        length = int(lengths[0]) if lengths and lengths[0].isdigit() else 0
        if length > MAX_SDP_BYTES:
            raise BadResponse(f"RTSP answer body of {length} bytes is over the {MAX_SDP_BYTES}-byte limit")
        if length:
            try:
                body = await self._reader.readexactly(length)
            except asyncio.IncompleteReadError as exc:
                raise BadResponse(f"RTSP answer to {method} shorter than its Content-Length") from exc
            answer = Answer(answer.status, parsed, body)
        return answer


class StreamCollector:
    """RTSP OPTIONS then DESCRIBE (Digest or Basic when challenged); codec and size from the SDP."""

    kind = CheckKind.STREAM

    def __init__(self, profiles: MediaProfiles) -> None:
        self._profiles = profiles

    async def collect(self, target: Target) -> StreamObservation:
        """Describe the camera's main stream; raise a CollectorError when it cannot be described."""
        profile = await self._profiles(target)
        if profile is None or not profile.stream_uri:
            raise BadResponse("the camera names no RTSP stream in its ONVIF media profile")
        uri, host, port = pinned(profile.stream_uri, target.host, target.rtsp_port, ("rtsp",))
        session = await RtspSession.open(host, port)
        offer: Offer | None = None
        used: Literal["none", "basic", "digest"] = "none"
        try:
            options = await session.request("OPTIONS", uri, {})
            if options.status not in (200, 401):
                raise BadResponse(f"RTSP OPTIONS answered {options.status}")
            answer = await session.request("DESCRIBE", uri, {"Accept": "application/sdp"})
            if answer.status == 401:
                challenges = answer.header("www-authenticate")
                offer = Offer.of("rtsp", uri, challenges)
                # RTSP over TCP is never encrypted here (no RTSPS): Basic only for a camera allowed it.
                used, header = login(
                    offer,
                    challenges,
                    method="DESCRIBE",
                    uri=uri,
                    username=target.username,
                    password=target.password,
                    basic_allowed=target.allow_basic,
                    channel="rtsp",
                )
                answer = await session.request("DESCRIBE", uri, {"Accept": "application/sdp", "Authorization": header})
        finally:
            await session.close()
        seen = offer.values(used) if offer is not None else {}
        if answer.status in (401, 403):
            raise AuthFailed(f"RTSP DESCRIBE refused the credentials ({answer.status})", evidence=seen)
        if answer.status == 404:
            raise BadResponse("RTSP DESCRIBE: the camera does not know the profile's stream (404)", evidence=seen)
        if answer.status != 200:
            raise BadResponse(f"RTSP DESCRIBE answered {answer.status}", evidence=seen)
        codec, width, height = describe_sdp(answer.body)
        return StreamObservation(
            stream_uri=uri,
            auth=used,
            codec=codec,
            width=width,
            height=height,
            profile_encoding=profile.encoding,
            profile_width=profile.width,
            profile_height=profile.height,
            auth_uri=uri if offer is not None else None,
            auth_offered=offer.schemes if offer is not None else (),
            auth_challenges=offer.challenges if offer is not None else (),
        )


def describe_sdp(body: bytes) -> tuple[str | None, int | None, int | None]:
    """Codec and picture size of the first video stream of an SDP; BadResponse when there is none."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadResponse("RTSP DESCRIBE answer is not text") from exc
    lines = [line.strip() for line in text.splitlines()]
    if not lines or not lines[0].startswith("v="):
        raise BadResponse("RTSP DESCRIBE answer is not an SDP")
    section: list[str] | None = None
    payloads: list[str] = []
    for line in lines:
        if line.startswith("m="):
            if section is not None:
                break
            fields = line[2:].split()
            if fields and fields[0] == "video":
                section, payloads = [], fields[3:]
        elif section is not None:
            section.append(line)
    if section is None or not payloads:
        raise BadResponse("the SDP describes no video stream")
    payload = payloads[0]
    attributes = [line[2:] for line in section if line.startswith("a=")]
    codec = _STATIC_VIDEO.get(int(payload)) if payload.isdigit() else None
    width = height = None
    fmtp = ""
    for attribute in attributes:
        name, _, value = attribute.partition(":")
        if name == "rtpmap" and value.startswith(payload + " "):
            codec = value.split()[1].split("/")[0].upper()
        elif name == "fmtp" and value.startswith(payload + " "):
            fmtp = value.split(" ", 1)[1]
        elif name == "framesize" and value.startswith(payload + " "):
            width, height = _pair(value.split(" ", 1)[1], "-")
        elif name == "x-dimensions" and width is None:
            width, height = _pair(value, ",")
    if width is None and codec in _SPROP:
        width, height = _size_from_sprop(fmtp, codec)
    return codec, width, height


def _pair(text: str, separator: str) -> tuple[int | None, int | None]:
    first, _, second = text.strip().partition(separator)
    if first.strip().isdigit() and second.strip().isdigit():
        return int(first), int(second)
    return None, None


def _size_from_sprop(fmtp: str, codec: str) -> tuple[int | None, int | None]:
    """The picture size from the sequence parameter set in the fmtp line (RFC 6184 for H.264, RFC 7798 for H.265)."""
    parameter, size = _SPROP[codec]
    for item in fmtp.split(";"):
        key, _, value = item.strip().partition("=")
        if key.lower() == parameter:
            try:
                return size(base64.b64decode(value.split(",")[0], validate=False))
            except (ValueError, IndexError):
                return None, None
    return None, None


class _BitReader:
    def __init__(self, data: bytes) -> None:
        self._bits = "".join(f"{byte:08b}" for byte in data)
        self._at = 0

    def u(self, width: int) -> int:
        if self._at + width > len(self._bits):
            raise IndexError("SPS ends early")
        value = int(self._bits[self._at : self._at + width] or "0", 2)
        self._at += width
        return value

    def ue(self, limit: int = 1 << 16) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("exp-Golomb code too long")
        value = (1 << zeros) - 1 + self.u(zeros)
        if value > limit:
            raise ValueError("SPS value out of range")
        return value

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)


def h264_size(nal: bytes) -> tuple[int, int]:
    """Picture width and height from an H.264 sequence parameter set NAL unit (ITU-T H.264 7.3.2.1)."""
    if not nal or nal[0] & 0x1F != 7:
        raise ValueError("not a sequence parameter set")
    rbsp = bytes(nal[1:]).replace(b"\x00\x00\x03", b"\x00\x00")
    bits = _BitReader(rbsp[:256])
    profile = bits.u(8)
    bits.u(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    chroma = 1
    if profile in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
        chroma = bits.ue(3)
        if chroma == 3:
            bits.u(1)  # separate_colour_plane_flag
        bits.ue()  # bit_depth_luma_minus8
        bits.ue()  # bit_depth_chroma_minus8
        bits.u(1)  # qpprime_y_zero_transform_bypass_flag
        if bits.u(1):  # seq_scaling_matrix_present_flag
            for index in range(8 if chroma != 3 else 12):
                if bits.u(1):
                    last = next_ = 8
                    for _ in range(16 if index < 6 else 64):
                        if next_:
                            next_ = (last + bits.se() + 256) % 256
                        last = next_ or last
    bits.ue()  # log2_max_frame_num_minus4
    order = bits.ue()
    if order == 0:
        bits.ue()
    elif order == 1:
        bits.u(1)
        bits.se()
        bits.se()
        for _ in range(bits.ue(255)):
            bits.se()
    bits.ue()  # max_num_ref_frames
    bits.u(1)  # gaps_in_frame_num_value_allowed_flag
    mbs_w, mbs_h = bits.ue() + 1, bits.ue() + 1
    frame_mbs_only = bits.u(1)
    if not frame_mbs_only:
        bits.u(1)  # mb_adaptive_frame_field_flag
    bits.u(1)  # direct_8x8_inference_flag
    width, height = mbs_w * 16, mbs_h * 16 * (2 - frame_mbs_only)
    if bits.u(1):  # frame_cropping_flag
        left, right, top, bottom = bits.ue(), bits.ue(), bits.ue(), bits.ue()
        unit_x = 2 if chroma in (1, 2) else 1
        unit_y = (2 if chroma == 1 else 1) * (2 - frame_mbs_only)
        width -= (left + right) * unit_x
        height -= (top + bottom) * unit_y
    return width, height


def h265_size(nal: bytes) -> tuple[int, int]:
    """Picture width and height from an H.265 sequence parameter set NAL unit (ITU-T H.265 7.3.2.2)."""
    if len(nal) < 3 or (nal[0] >> 1) & 0x3F != 33:
        raise ValueError("not a sequence parameter set")
    rbsp = bytes(nal[2:]).replace(b"\x00\x00\x03", b"\x00\x00")
    bits = _BitReader(rbsp[:256])
    bits.u(4)  # sps_video_parameter_set_id
    sub_layers = bits.u(3)  # sps_max_sub_layers_minus1
    bits.u(1)  # sps_temporal_id_nesting_flag
    bits.u(96)  # profile_tier_level: the general profile (88 bits) and level (8), then what each sub-layer carries
    present = [(bits.u(1), bits.u(1)) for _ in range(sub_layers)]
    if sub_layers:
        bits.u(2 * (8 - sub_layers))  # reserved_zero_2bits
    for profile, level in present:
        bits.u(88 * profile + 8 * level)
    bits.ue()  # sps_seq_parameter_set_id
    chroma = bits.ue(3)
    if chroma == 3 and bits.u(1):  # separate_colour_plane_flag: each plane coded as monochrome
        chroma = 0
    width, height = bits.ue(), bits.ue()
    if not width or not height:
        raise ValueError("SPS without a picture size")
    if bits.u(1):  # conformance_window_flag
        left, right, top, bottom = bits.ue(), bits.ue(), bits.ue(), bits.ue()
        width -= (left + right) * (2 if chroma in (1, 2) else 1)
        height -= (top + bottom) * (2 if chroma == 1 else 1)
    if width <= 0 or height <= 0:
        raise ValueError("conformance window larger than the picture")
    return width, height


# Per codec: the fmtp parameter carrying the sequence parameter set, and its reader.
_SPROP: dict[str, tuple[str, Callable[[bytes], tuple[int, int]]]] = {
    "H264": ("sprop-parameter-sets", h264_size),
    "H265": ("sprop-sps", h265_size),
}
