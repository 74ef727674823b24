"""Vendor profiles: what real devices of each manufacturer report, and a camera's derived identity.

Facts come from docs/sources/vendor-origin (manufacturer strings, OUIs, enterprise numbers) and from the
snmpsim-data recordings of a Hikvision and a Samsung/Hanwha camera; formats marked "(format)" follow what such
devices print, the concrete values are invented.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from simulator.spec import CameraSpec


@dataclass(frozen=True, slots=True)
class Identity:
    """What one simulated device reports about itself."""

    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware_id: str
    mac: str  # "aa:bb:cc:dd:ee:ff", lower case


Picker = Callable[[random.Random, str, str], str]  # (rng, model, mac) -> text


@dataclass(frozen=True, slots=True)
class VendorProfile:
    """Device behaviour shared by one manufacturer's cameras."""

    key: str
    aliases: tuple[str, ...]
    onvif_manufacturer: str
    models: tuple[str, ...]
    firmwares: tuple[str, ...]
    ouis: tuple[str, ...]
    serial: Picker
    hardware_id: Picker
    enterprise: int | None
    media_path: str
    snapshot_path: str
    rtsp_paths: tuple[str, str]  # main stream, sub stream
    profile_tokens: tuple[str, str]
    main_codec: str = "H264"
    main_resolution: tuple[int, int] = (1920, 1080)
    auth_fault_status: int = 500
    model_of: Callable[[str], str] = str
    onvif_mac_upper: bool = False  # Axis prints AC:CC:8E:…, most others ac:cc:8e:… (captures)
    # None: the device has no MIB-II system group at all (Hikvision).
    sys_object_id: tuple[int, ...] | None = (1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)
    sys_descr: Callable[[Identity], str] = lambda ident: f"Linux {ident.model} 4.9.37 #1 SMP PREEMPT armv7l"


def _digits(n: int) -> Picker:
    return lambda rng, model, mac: "".join(rng.choices(string.digits, k=n))


def _alnum(n: int) -> Picker:
    return lambda rng, model, mac: "".join(rng.choices(string.ascii_uppercase + string.digits, k=n))


def _mac_serial(rng: random.Random, model: str, mac: str) -> str:
    # Axis prints the MAC as its serial (captures); Vivotek and Mobotix are assumed to do the same (unverified).
    return mac.replace(":", "").upper()


def _hikvision_serial(rng: random.Random, model: str, mac: str) -> str:
    # (format) order code + production date + "AAWR" + batch letter + 9 digits
    day = f"20{rng.randint(18, 24)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"{model}{day}AAWR{rng.choice('CDEFGJK')}{rng.randint(0, 10**9 - 1):09d}"


def _fixed(text: str) -> Picker:
    return lambda rng, model, mac: text


def _strip_axis(model: str) -> str:
    # Axis firmware 8.x and later drops the "AXIS " prefix from the ONVIF Model (capture: M5525-E).
    return model.removeprefix("AXIS ").strip()


PROFILES: tuple[VendorProfile, ...] = (
    VendorProfile(
        key="axis",
        aliases=("axis", "axis communications", "axis communications ab"),
        onvif_manufacturer="AXIS",
        models=("AXIS P3245-LVE", "AXIS Q1615-LE Mk III", "AXIS M3106-L Mk II", "AXIS Q6135-LE"),
        firmwares=("10.12.114", "11.11.73", "9.80.55", "10.12.182"),
        ouis=("00-40-8C", "AC-CC-8E", "B8-A4-4F", "E8-27-25"),
        serial=_mac_serial,
        hardware_id=lambda rng, model, mac: f"{rng.randint(0x700, 0x7FF):X}",
        enterprise=368,
        sys_object_id=(1, 3, 6, 1, 4, 1, 368, 4),
        sys_descr=lambda ident: f"AXIS {ident.model} Network Camera {ident.firmware}",
        media_path="/onvif/services",
        snapshot_path="/axis-cgi/jpg/image.cgi?camera=1",
        rtsp_paths=(
            "/onvif-media/media.amp?profile=profile_1_h264&sessiontimeout=60&streamtype=unicast",
            "/onvif-media/media.amp?profile=profile_2_h264&sessiontimeout=60&streamtype=unicast",
        ),
        profile_tokens=("profile_1_h264", "profile_2_h264"),
        auth_fault_status=401,
        model_of=_strip_axis,
        onvif_mac_upper=True,
    ),
    VendorProfile(
        key="bosch",
        aliases=("bosch", "bosch security systems", "bosch security", "bosch building technologies"),
        onvif_manufacturer="Bosch",
        models=("FLEXIDOME IP 5100i IR", "DINION IP 3000i IR", "AUTODOME IP 5000i"),
        firmwares=("8.71.0066", "7.80.0128", "9.20.0042"),
        # Bosch IP cameras carry the VCS Video Communication Systems OUI, not a "Bosch" one.
        ouis=("00-07-5F",),
        serial=_digits(18),
        hardware_id=lambda rng, model, mac: f"F000{rng.randint(0, 0xFFFF):04X}",
        enterprise=3967,
        sys_object_id=(1, 3, 6, 1, 4, 1, 3967, 1),
        sys_descr=lambda ident: f"Bosch {ident.model} {ident.firmware}",
        media_path="/onvif/media_service",
        snapshot_path="/snap.jpg?JpegCam=1",
        rtsp_paths=("/rtsp_tunnel?p=0&line=1&inst=1", "/rtsp_tunnel?p=0&line=1&inst=2"),
        profile_tokens=("0", "1"),
    ),
    VendorProfile(
        key="hanwha",
        aliases=("hanwha", "hanwha vision", "hanwha techwin", "samsung techwin", "samsung", "wisenet"),
        onvif_manufacturer="Hanwha Vision",
        models=("QNV-6082R", "XNP-6400RW", "XNV-8080R", "PNM-9084RQZ"),
        firmwares=("2.21.02_20230412", "1.41.01_20210316", "25.01.00_20250328"),
        ouis=("00-09-18", "E4-30-22"),
        serial=lambda rng, model, mac: (
            f"Z{''.join(rng.choices(string.ascii_uppercase, k=3))}"
            f"{rng.randint(0, 10**7 - 1):07d}{rng.choice(string.ascii_uppercase)}"
        ),
        hardware_id=_fixed(""),
        enterprise=36849,
        # Shaped after the snmpsim-data samsung-ipolis recording: product arc under 36849.1.2.
        sys_object_id=(1, 3, 6, 1, 4, 1, 36849, 1, 2, 64),
        sys_descr=lambda ident: f"Hanwha Vision {ident.model} Network Camera",
        media_path="/onvif/media_service",
        snapshot_path="/stw-cgi/video.cgi?msubmenu=snapshot&action=view&Profile=1",
        rtsp_paths=("/profile2/media.smp", "/profile3/media.smp"),
        profile_tokens=("1", "2"),
    ),
    VendorProfile(
        key="mobotix",
        aliases=("mobotix", "mobotix ag"),
        onvif_manufacturer="MOBOTIX",
        models=("MX-M16B", "MX-S16B", "MX-Q71A", "MX-M73A"),
        firmwares=("MX-V5.4.6.5", "MX-V5.2.6.7", "V7.3.1.27"),
        ouis=("00-03-C5",),
        serial=_mac_serial,
        hardware_id=_fixed("1.0"),
        enterprise=21701,
        sys_object_id=(1, 3, 6, 1, 4, 1, 21701, 1),
        sys_descr=lambda ident: f"MOBOTIX {ident.model} {ident.firmware}",
        media_path="/onvif/media_service",
        snapshot_path="/record/current.jpg",
        rtsp_paths=("/mobotix.h264", "/mobotix.h264?stream=sub"),
        profile_tokens=("profile_1", "profile_2"),
    ),
    VendorProfile(
        key="hikvision",
        aliases=("hikvision", "hikvision digital technology", "hilook", "hiwatch"),
        onvif_manufacturer="HIKVISION",
        models=("DS-2CD2T47G2-L", "DS-2CD2646G2-IZS", "DS-2CD2143G2-I", "DS-2DE4425IW-DE"),
        firmwares=("V5.7.3 build 220112", "V5.5.800 build 210628", "V5.7.12 build 230315"),
        ouis=("BC-AD-28", "C0-56-E3", "44-19-B6", "4C-BD-8F", "54-C4-15", "94-E1-AC", "E0-CA-3C"),
        serial=_hikvision_serial,
        hardware_id=_fixed("88"),
        enterprise=39165,
        sys_object_id=None,
        media_path="/onvif/Media",
        snapshot_path="/onvif-http/snapshot?Profile_1",
        rtsp_paths=(
            "/Streaming/Channels/101?transportmode=unicast&profile=Profile_1",
            "/Streaming/Channels/102?transportmode=unicast&profile=Profile_2",
        ),
        profile_tokens=("Profile_1", "Profile_2"),
        main_codec="H265",
        main_resolution=(2688, 1520),
        # Real Hikvision firmware answers a bad UsernameToken with HTTP 400 and ter:NotAuthorized.
        auth_fault_status=400,
    ),
    VendorProfile(
        key="dahua",
        aliases=("dahua", "dahua technology", "zhejiang dahua technology", "general"),
        onvif_manufacturer="Dahua",
        models=("IPC-HFW5442E-ZE", "IPC-HDW3841T-ZAS", "SD49425XB-HNR", "DH-IPC-HFW2431S-S-S2"),
        firmwares=(
            "2.800.0000000.16.R, Build Date: 2022-08-26",
            "2.840.0000000.9.R, Build Date: 2023-05-10",
            "2.820.0000000.3.R, Build Date: 2021-11-19",
        ),
        ouis=("3C-EF-8C", "E0-50-8B", "90-02-A9", "BC-32-5F", "4C-11-BF", "9C-14-63"),
        serial=_alnum(15),
        hardware_id=_fixed("1.00"),
        enterprise=1004849,
        # Dahua devices use the unregistered arc 1004849 (DAHUA-SNMP-MIB), not their IANA number 37496.
        sys_object_id=(1, 3, 6, 1, 4, 1, 1004849, 1, 1),
        sys_descr=lambda ident: ident.model,
        media_path="/onvif/media_service",
        snapshot_path="/onvifsnapshot/media_service/snapshot?channel=1&subtype=0",
        rtsp_paths=(
            "/cam/realmonitor?channel=1&subtype=0&unicast=true&proto=Onvif",
            "/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif",
        ),
        profile_tokens=("MediaProfile00000", "MediaProfile00001"),
        main_codec="H265",
        main_resolution=(2688, 1520),
    ),
    VendorProfile(
        key="uniview",
        aliases=("uniview", "unv", "zhejiang uniview technologies", "uniarch"),
        onvif_manufacturer="UNIVIEW",
        models=("IPC2324SB-DZK-I0", "IPC3615SB-ADF28KM-I0", "IPC2124LB-SF28KM-G"),
        firmwares=("IPC_G6103-B0003P64D2305", "IPC_Q1201-B5011P21D1805", "IPC_D1211-B0001P62D2211"),
        ouis=("48-EA-63", "6C-F1-7E", "C4-79-05"),
        serial=lambda rng, model, mac: f"210235C{rng.randint(0, 10**13 - 1):013d}",
        hardware_id=_fixed("A"),
        enterprise=39747,
        sys_object_id=(1, 3, 6, 1, 4, 1, 39747, 1),
        sys_descr=lambda ident: f"UNIVIEW {ident.model}",
        media_path="/onvif/media_service",
        snapshot_path="/images/snapshot.jpg",
        rtsp_paths=("/media/video1", "/media/video2"),
        profile_tokens=("media_profile1", "media_profile2"),
        main_codec="H265",
        main_resolution=(2560, 1440),
    ),
    VendorProfile(
        key="pelco",
        aliases=("pelco", "pelco (motorola solutions)"),
        onvif_manufacturer="pelco",
        models=("IMP321-1ES", "IBP231-1ER", "S6230-EGL"),
        firmwares=("01.16.42-20180912", "02.04.10-20210611"),
        ouis=("00-04-7D",),
        serial=lambda rng, model, mac: f"T{rng.randint(0, 10**8 - 1):08d}",
        hardware_id=_fixed(""),
        enterprise=25066,
        sys_object_id=(1, 3, 6, 1, 4, 1, 25066, 1),
        sys_descr=lambda ident: f"Pelco {ident.model} {ident.firmware}",
        media_path="/onvif/media_service",
        snapshot_path="/jpeg",
        rtsp_paths=("/stream1", "/stream2"),
        profile_tokens=("0", "1"),
    ),
    VendorProfile(
        key="vivotek",
        aliases=("vivotek", "vivotek inc."),
        onvif_manufacturer="VIVOTEK",
        models=("FD9360-H", "IB9387-EHT-A", "MS9321-EHV"),
        firmwares=("{series}-VVTK-0102a", "{series}-VVTK-0100h", "{series}-VVTK-0200c"),
        ouis=("00-02-D1",),
        serial=_mac_serial,
        hardware_id=_fixed(""),
        enterprise=23465,
        sys_object_id=(1, 3, 6, 1, 4, 1, 23465, 1),
        sys_descr=lambda ident: f"VIVOTEK {ident.model} Network Camera",
        media_path="/onvif/media_service",
        snapshot_path="/cgi-bin/viewer/video.jpg",
        rtsp_paths=("/live1s1.sdp", "/live1s2.sdp"),
        profile_tokens=("Profile1", "Profile2"),
    ),
    VendorProfile(
        key="milesight",
        aliases=("milesight", "milesight technology", "xiamen milesight iot"),
        onvif_manufacturer="Milesight Technology Co.,Ltd.",
        models=("MS-C2964-RFLPC", "MS-C5364-FPD", "MS-C8165-PB"),
        firmwares=("45.8.0.3-r7", "71.8.0.6-r5"),
        ouis=("1C-C3-16", "24-E1-24"),
        serial=_alnum(12),
        hardware_id=_fixed("V1.0"),
        enterprise=None,
        media_path="/onvif/media_service",
        snapshot_path="/snapshot.jpg",
        rtsp_paths=("/main", "/sub"),
        profile_tokens=("profile1", "profile2"),
    ),
)

GENERIC = VendorProfile(
    key="generic",
    aliases=(),
    onvif_manufacturer="IPCAM",
    models=("IPC-1080P",),
    firmwares=("1.0.0",),
    # Locally administered prefix: a white-label board carries no registered OUI.
    ouis=("02-1A-11",),
    serial=_alnum(12),
    hardware_id=_fixed("1.0"),
    enterprise=None,
    media_path="/onvif/media_service",
    snapshot_path="/snapshot.jpg",
    rtsp_paths=("/live/main", "/live/sub"),
    profile_tokens=("profile_1", "profile_2"),
)

_BY_ALIAS = {alias: profile for profile in PROFILES for alias in (profile.key, *profile.aliases)}


def find_profile(manufacturer: str) -> VendorProfile | None:
    """The profile whose vendor name or alias matches `manufacturer` (case-insensitive)."""
    wanted = " ".join(manufacturer.lower().split())
    if not wanted:
        return None
    if wanted in _BY_ALIAS:
        return _BY_ALIAS[wanted]
    first = wanted.split()[0]
    return _BY_ALIAS.get(first)


def profile_for(spec: CameraSpec) -> VendorProfile:
    """`sim_manufacturer` wins, then `declared_manufacturer`, then the generic profile."""
    if spec.sim_manufacturer:
        return find_profile(spec.sim_manufacturer) or GENERIC
    return find_profile(spec.declared_manufacturer) or GENERIC


def _rng(name: str, purpose: str) -> random.Random:
    digest = hashlib.sha256(f"{purpose}:{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def normalise_mac(text: str) -> str:
    """`AA-BB-CC-DD-EE-FF`, `aabbccddeeff` or `aa:bb:…` → `aa:bb:cc:dd:ee:ff`."""
    digits = "".join(ch for ch in text.lower() if ch in string.hexdigits)
    if len(digits) != 12:
        raise ValueError(f"not a MAC address: {text!r}")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def derive_identity(spec: CameraSpec, profile: VendorProfile) -> Identity:
    """The identity a camera reports: deterministic per camera name, `sim_*` columns override."""
    rng = _rng(spec.name, "identity")
    if spec.sim_mac:
        mac = normalise_mac(spec.sim_mac)
    else:
        oui = rng.choice(profile.ouis).replace("-", "")
        mac = normalise_mac(oui + f"{rng.randint(0, 0xFFFFFF):06x}")
    declared_fits = not spec.sim_manufacturer and bool(spec.declared_model)
    model = spec.sim_model or (spec.declared_model if declared_fits else rng.choice(profile.models))
    model = profile.model_of(model)
    firmware = spec.sim_firmware or rng.choice(profile.firmwares)
    if not spec.sim_firmware:
        firmware = firmware.format(series=model.split("-")[0])
    return Identity(
        manufacturer=spec.sim_manufacturer
        if profile is GENERIC and spec.sim_manufacturer
        else profile.onvif_manufacturer,
        model=model,
        firmware=firmware,
        serial=profile.serial(rng, model, mac),
        hardware_id=profile.hardware_id(rng, model, mac),
        mac=mac,
    )
