"""Photos of a report: decoded once (a file that only starts like a JPEG or PNG is refused),
and their EXIF location (the GPS block) removed unless the reporter chose to keep it."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext_noop
from PIL import Image, UnidentifiedImageError

from congso.core.errors import DomainError, Message

#: The EXIF tag of the GPS block (GPSInfo).
GPS_IFD = 0x8825
#: Refuse images larger than this many pixels (decompression bombs).
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    location_removed: bool


def _xmp_location(xmp: object) -> bool:
    """An XMP packet naming a position (``exif:GPSLatitude``/``GPSLongitude``)."""
    packet = xmp.encode() if isinstance(xmp, str) else xmp
    return isinstance(packet, bytes) and (b"GPSLatitude" in packet or b"GPSLongitude" in packet)


def has_location(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD)) or _xmp_location(image.info.get("xmp"))


def clean(data: bytes, *, name: str, keep_location: bool) -> Cleaned:
    """``data`` (a JPEG or PNG already sniffed) verified by decoding it; without its GPS block
    unless ``keep_location``. The pixels are kept as they are (JPEG ``quality="keep"``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError(name)
                image.load()
                exif = image.getexif()
                gps = bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif
                if keep_location or not (gps or _xmp_location(image.info.get("xmp"))):
                    return Cleaned(data, False)
                if GPS_IFD in exif:
                    del exif[GPS_IFD]
                # Saved again without ``xmp``: an XMP packet (which may carry
                # exif:GPSLatitude/GPSLongitude) is not written.
                out = io.BytesIO()
                if image.format == "JPEG":
                    image.save(out, format="JPEG", exif=exif.tobytes(), quality="keep")
                else:
                    image.save(out, format=image.format or "PNG", exif=exif.tobytes())
                return Cleaned(out.getvalue(), True)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise DomainError(
            "image_unreadable",
            Message(
                gettext_noop(
                    "Ảnh «%(name)s» bị hỏng hoặc không phải ảnh thật, không nhận được; hãy chụp "
                    "hoặc lưu lại ảnh rồi gửi."
                ),
                name=name,
            ),
            field="files",
        ) from None
