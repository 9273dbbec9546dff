"""An uploaded PO file before the catalog check: its bytes decoded as it says, its entries all the template's.

Every way such a file can be wrong is a reason given back to the translator (422), never
an exception: an empty file, a compiled .mo, binary garbage, an unknown charset, bytes that
are not what the charset says, entries the template does not have. Babel decodes each line
with the header's charset only after it has read the header (lines before it as UTF-8), so
the whole file is decoded here first, by its byte-order mark or its declared charset.
"""

from __future__ import annotations

import codecs
import gettext
import io
import re

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from service.catalogs import parse_po, po_bytes
from service.content import Content
from service.segments import UNSENDABLE

MO_MAGIC = (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")
# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CHARSET_NAME = re.compile(rb"[A-Za-z0-9_.:+-]{1,40}")
SHOWN = 3  # entries named in a refusal


class UploadRefused(ValueError):
    """The file cannot be checked at all; str() says why, for the translator."""


def _codec(name: str) -> codecs.CodecInfo:
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UploadRefused(f"the file's charset {name[:40]!r} is unknown; save it as UTF-8") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13: codecs, but not charsets
        raise UploadRefused(f"the file's charset {name[:40]!r} is not a text encoding; save it as UTF-8")
    return info


def declared_charset(data: bytes) -> str | None:
    """The charset of the first line that says Content-Type: … charset=NAME (no quote between them).

    Line by line, with find(): a pattern searched over the whole file, tried at every "Content-Type:"
    and run to the end of its line, took six minutes on one 1 MiB line of them, holding the process.
    """
    for row in data.split(b"\n"):
        lower = row.lower()
        start = lower.find(b"content-type:")
        at = lower.find(b"charset=", start) if start >= 0 else -1
        if at >= 0 and b'"' not in row[start:at]:
            found = CHARSET_NAME.match(row, at + len(b"charset="))
            if found:
                return found.group().decode("ascii")
    return None


def charset_of(data: bytes) -> tuple[str, bool]:
    """(codec, whether a byte-order mark chose it): the mark if there is one, else the header's charset, else UTF-8."""
    for mark, codec in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return codec, True
    name = declared_charset(data) or "utf-8"
    info = _codec(name)
    try:
        ascii_compatible = "charset=".encode(info.name, errors="replace") == b"charset="
    except (UnicodeError, LookupError):  # idna, "undefined": codecs that encode nothing of the sort
        raise UploadRefused(f"the file's charset {name!r} is not one for text; save it as UTF-8") from None
    if not ascii_compatible:  # UTF-16 and the like, but no mark
        raise UploadRefused(f"the file says it is {name} but reads as ASCII text; save it as UTF-8")
    return info.name, False


def decode_po(data: bytes) -> tuple[str, str, bool]:
    """(text, codec, chosen by a byte-order mark) of an uploaded PO file's bytes."""
    if not data.strip():
        raise UploadRefused("the file is empty")
    if data[:4] in MO_MAGIC:
        raise UploadRefused("this is a compiled .mo file: upload the .po file it was compiled from")
    codec, by_mark = charset_of(data)
    try:
        text = data.decode(codec)
    except UnicodeError as error:
        at = f" at byte {error.start}" if isinstance(error, UnicodeDecodeError) else ""
        raise UploadRefused(f"the file is not valid {codec}{at}; save it as UTF-8") from None
    control = UNSENDABLE.search(text)
    if control:
        row = text.count("\n", 0, control.start()) + 1
        raise UploadRefused(f"the file holds a control character (U+{ord(control.group()):04X}) on line {row}")
    return text, codec, by_mark


def parse(data: bytes) -> Catalog:
    """The catalog of an uploaded PO file, its charset set to UTF-8 (how versions are stored)."""
    text, codec, by_mark = decode_po(data)
    try:
        catalog = read_po(io.StringIO(text, newline=None), abort_invalid=True)
    except Exception as error:  # Babel's parser raises several kinds on hostile input; each means "does not parse"
        raise UploadRefused(f"the file does not parse as a PO file: {str(error)[:200]}") from None
    if not by_mark and _codec(catalog.charset).name != codec:
        raise UploadRefused(
            f"the file's header declares {catalog.charset}, but it was read as {codec}; save it as UTF-8"
        )
    _check_plural_forms(catalog)
    catalog.charset = "utf-8"
    return _as_stored(catalog)


def _check_plural_forms(catalog: Catalog) -> None:
    try:  # what gettext will do with it when the catalog is served
        gettext.c2py(catalog.plural_expr)
    except (ValueError, RecursionError):
        raise UploadRefused("the file's Plural-Forms header is not a plural expression gettext can read") from None


def _as_stored(catalog: Catalog) -> Catalog:
    """The catalog as it will be stored and served: written out and read back. Babel writes some header
    values (the project name) into the header comment, newlines and all, so a header can smuggle in
    entries that only appear once written; the checks must see what replicas will serve."""
    text = po_bytes(catalog, ignore_obsolete=True)
    try:
        stored = parse_po(text)
    except Exception as error:
        raise UploadRefused(f"the file does not survive being stored: {str(error)[:200]}") from None
    if po_bytes(stored, ignore_obsolete=True) != text:
        raise UploadRefused("the file's header changes the file when it is stored; start from the .po this page offers")
    return stored


def template_keys(content: Content) -> frozenset[tuple[str, str]]:
    """(msgctxt, msgid) of every entry the template (messages.pot) has, from the content it is extracted from."""
    topics = {(topic.id, text) for topic in content.topics for text in topic.texts}
    return frozenset(topics | set(content.messages.items()))


def extra_entries(catalog: Catalog, content: Content) -> list[str]:
    """Why a catalog's entries that the template lacks are refused (none: there are none)."""
    known = template_keys(content)
    extra = [message for message in catalog if message.id and (message.context, message.id) not in known]
    if not extra:
        return []
    shown = "; ".join(
        f"{(message.context or '(no msgctxt)')[:40]} {str(message.id)[:40]!r}" for message in extra[:SHOWN]
    )
    more = f" and {len(extra) - SHOWN} more" if len(extra) > SHOWN else ""
    return [
        f"{len(extra)} entries are not in the template (messages.pot): {shown}{more}. "
        "Start from the .po this page offers, or run `python -m service catalog update`."
    ]
