"""What an uploaded document is, from its content: the type its first bytes say, checked
against the name it came with and the portal's limits.

Only the types a customs file needs are taken: PDF (invoices, packing lists,
certificates), PNG and JPEG (photographs, scans) and XML (electronic
certificates such as an ePhyto or an e-CO). The type is read from the
content's signature ("magic bytes"), never from the name or the browser's
claim; a name whose extension says otherwise is refused, as is anything else
(an executable renamed ``invoice.pdf`` is refused for its content).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Signature -> media type. XML may start with a byte-order mark and white space.
_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_XML = re.compile(rb"^(\xef\xbb\xbf)?\s*<(\?xml[\s?]|([A-Za-z_][\w.:-]*)[\s>/])")
# Markup a browser would run, were it ever shown inline: not a customs document.
_ACTIVE = frozenset({b"html", b"script", b"svg", b"body", b"head", b"iframe", b"xsl:stylesheet"})

EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/xml": (".xml",),
}
# What a document is to customs (the kinds the trader picks from).
KINDS = ("invoice", "packing_list", "certificate", "photo", "transport_document", "other")
_NAME = re.compile(r"^[^\x00-\x1f\x7f/\\]{1,200}$")


class Refused(ValueError):
    """The upload is refused; ``code`` says why (a stable code), the message in words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Upload:
    """An accepted upload: its kind, name, type from the content, size and SHA-256."""

    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The media type the content's signature says, or None when it is none of ours."""
    if data.startswith(_PDF):
        return "application/pdf"
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    xml = _XML.match(data[:512])
    if xml and (xml.group(3) or b"").lower() not in _ACTIVE:
        return "application/xml"
    return None


def accepted(kind: str, filename: str, data: bytes, limit: int) -> Upload:
    """The upload, checked: a known kind, a plain name, not empty nor over ``limit`` bytes, a
    content of an accepted type, and a name whose extension is that type's."""
    if kind not in KINDS:
        raise Refused("kind", f"the kind of document must be one of {', '.join(KINDS)}")
    name = filename.strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not _NAME.match(name):
        raise Refused("name", "the file needs a plain name of at most 200 characters")
    if not data:
        raise Refused("empty", "the file is empty")
    if len(data) > limit:
        raise Refused("too_large", f"the file is over the limit of {limit:,} bytes")
    media_type = sniff(data)
    if media_type is None:
        raise Refused("type", "only PDF, PNG, JPEG and XML documents are accepted")
    if not name.lower().endswith(EXTENSIONS[media_type]):
        raise Refused(
            "mismatch",
            f"the file's content is {media_type} but its name says otherwise: "
            f"name it {' or '.join(EXTENSIONS[media_type])}",
        )
    return Upload(kind, name, media_type, len(data), hashlib.sha256(data).hexdigest())
