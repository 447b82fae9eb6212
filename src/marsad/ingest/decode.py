"""Bytes to text: BOMs, UTF-8, UTF-16 and Windows-1256 (common on Arabic sites), with clear
errors for binary and undecodable input."""
from __future__ import annotations

import codecs
import re

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"\x1f\x8b")
_ARABIC = re.compile("[\u0621-\u064a]")
# UTF-8 Arabic read as Windows-1256 turns into runs of ط/ظ followed by a symbol: mojibake.
_MOJIBAKE = re.compile("[طظ][\u0080-\u00ff\u2000-\u206f\u0600-\u06ff]")


class DecodeError(ValueError):
    """The bytes are not text Marsad can read; the message says why."""


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > max(2, len(sample) // 50)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    # Arabic in UTF-16 has 0x06 high bytes, Latin has 0x00: either way one side is regular.
    for enc, side in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        regular = sum(1 for b in side if b in (0, 6)) / len(side)
        if regular > 0.9 and (even_nul > 0.2 or odd_nul > 0.2 or sample.count(6) > len(sample) / 4):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises DecodeError for empty, binary or undecodable bytes."""
    if not data.strip():
        raise DecodeError("empty file")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise DecodeError(f"undecodable bytes at offset {e.start} (declared {enc} by its BOM)") from None
    text = _utf16_without_bom(data)
    if text is not None:
        return text, "utf-16"
    if _looks_binary(data):
        raise DecodeError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        arabic = len(_ARABIC.findall(text))
        mojibake = len(_MOJIBAKE.findall(text))
        if arabic and mojibake < arabic * 0.1:
            return text, "cp1256"
    raise DecodeError(
        f"undecodable bytes at offset {utf8_error.start}: not UTF-8, UTF-16 or Windows-1256"
    )
