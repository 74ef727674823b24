"""Per camera, what the image check remembers between snapshots: never a picture unless a setting allows one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime


class ImageBaseline(Base):
    """The reference view (an edge-direction signature) and the digest of the last snapshot."""

    __tablename__ = "image_baselines"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    # 128 numbers: how strongly edges run in 8 directions in each cell of a 4×4 grid. Not a picture.
    reference_signature: Mapped[list[float] | None] = mapped_column(JSONType)
    reference_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A coordinator asked for a new reference (after a deliberate re-aim): the next usable snapshot becomes it.
    reference_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reference_requested_by: Mapped[str | None] = mapped_column(String(100))
    # A tiny grey JPEG of the reference, only while settings.image.reference_thumbnail is on.
    reference_thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A hash of the last snapshot's measured pixels: the same hash again means a frozen picture.
    last_digest: Mapped[str | None] = mapped_column(String(64))
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
