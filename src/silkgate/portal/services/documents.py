"""Documents uploaded to a declaration: checked, kept outside the database, journaled.

An upload is checked first (:func:`silkgate.portal.uploads.accepted`: kind,
name, size, type from the content), then the declaration is looked up for
the uploader (another trader's is unknown to it), then the bytes are kept
by their SHA-256 (:mod:`.storage`) and the declaration's lifecycle journals
the document (``DocumentAttached``, whose handler records the row). A
refused upload stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.portal import uploads
from silkgate.portal.services.storage import DocumentStore
from silkgate.store import declarations as declaration_store
from silkgate.store import portal as store
from silkgate.store.db import reading

# Journals a kept document on the declaration: (principal, mrn, document's facts).
Attach = Callable[[Principal, str, dict[str, Any]], None]


class Documents:
    def __init__(self, engine: sa.Engine, kept: DocumentStore, limit: int, attach: Attach) -> None:
        self.engine = engine
        self.kept = kept
        self.limit = limit
        self.attach = attach

    def _declaration(self, conn: sa.Connection, principal: Principal, mrn: str) -> Any:
        d = declaration_store.get(conn, mrn)
        if d is None or not principal.may_see(d.declarant_id):
            raise NotFound(f"no declaration {mrn}")
        return d

    def upload(
        self,
        principal: Principal,
        mrn: str,
        kind: str,
        filename: str,
        data: bytes,
        question_id: int | None = None,
    ) -> uploads.Upload:
        """Check, keep and journal one document for declaration ``mrn``."""
        try:
            upload = uploads.accepted(kind, filename, data, self.limit)
        except uploads.Refused as exc:
            raise InvalidRequest([FieldError("/file", exc.code, str(exc))]) from None
        with reading(self.engine) as conn:
            self._declaration(conn, principal, mrn)
        if principal.role is not Role.DECLARANT and not principal.is_staff:
            raise Forbidden("only the declarant and customs upload documents")
        key = self.kept.put(upload.sha256, data)
        facts = {
            "kind": upload.kind,
            "filename": upload.filename,
            "media_type": upload.media_type,
            "size": upload.size,
            "sha256": upload.sha256,
            "storage_key": key,
            "question_id": question_id,
        }
        self.attach(principal, mrn, facts)
        return upload

    def listed(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """The documents of a declaration ``principal`` may see (none if it may not)."""
        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if d is None or not principal.may_see(d.declarant_id):
                return []
            return store.documents(conn, d.id)

    def read(
        self, principal: Principal, mrn: str, document_id: int
    ) -> tuple[dict[str, Any], bytes]:
        """A document's record and bytes (its declaration's readers only)."""
        with reading(self.engine) as conn:
            d = self._declaration(conn, principal, mrn)
            found = store.document(conn, document_id)
        if found is None or found["declaration_id"] != d.id:
            raise NotFound(f"no document {document_id} on declaration {mrn}")
        return found, self.kept.get(found["storage_key"])
