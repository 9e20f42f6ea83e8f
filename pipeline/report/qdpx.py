"""REFI-QDA project export (.qdpx) so researchers can review machine codings in QDA tools.

A .qdpx file is a ZIP holding ``project.qde`` (XML, namespace
``urn:QDA-XML:project:1.0``) and ``sources/`` with the plain text of each
document. The taxonomy becomes the codebook (nested codes), and every
machine assignment becomes a coded ``PlainTextSelection`` whose start/end are
character positions in that plain text.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from pipeline.files import atomic_path

NS = "urn:QDA-XML:project:1.0"
_UUID_NS = uuid.UUID("6f1c1b1e-5c1a-4c3e-9a55-7a2b1f0d2e11")


def guid(*parts: str) -> str:
    """Stable GUID for a thing, so re-exports keep identities (tools merge on GUIDs)."""
    return str(uuid.uuid5(_UUID_NS, "/".join(parts))).upper()


@dataclass(frozen=True)
class Code:
    code_id: str
    name: str
    parent_id: str | None = None
    description: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class Source:
    doc_id: str
    name: str
    text: str


@dataclass(frozen=True)
class Coding:
    doc_id: str
    start: int
    end: int
    code_id: str
    confidence: float | None = None
    note: str | None = None


CODE_LEVELS = ("macro_problem", "goal", "general_policy")


def taxonomy_codes(taxonomy, codebook=None) -> list[Code]:
    """Codes for the taxonomy's macro-problems, goals and general policies, nested as in the tree.

    A code's description is what a coder reads: the codebook's bilingual definition (goals: in, out and
    acceptable alternatives; policies: the one-line cue) when ``codebook`` covers it, else the Persian text."""
    codes = []
    for n in taxonomy.nodes:
        if n.level not in CODE_LEVELS:
            continue
        described = codebook.describe(n.node_id) if codebook is not None else None
        codes.append(Code(n.node_id, f"{n.node_id} {n.gloss_en or n.text_fa}",
                          n.parent_id if n.level != "macro_problem" else None, described or n.text_fa))
    return codes


def build_project(codes: Sequence[Code], sources: Sequence[Source], codings: Iterable[Coding],
                  name: str = "udiplo export", user: str = "udiplo") -> ET.Element:
    ET.register_namespace("", NS)
    q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    user_guid = guid("user", user)
    project = ET.Element(q("Project"), {"name": name, "origin": "udiplo", "creationDateTime": now,
                                         "creatingUserGUID": user_guid})
    users = ET.SubElement(project, q("Users"))
    ET.SubElement(users, q("User"), {"guid": user_guid, "name": user})

    codebook = ET.SubElement(ET.SubElement(project, q("CodeBook")), q("Codes"))
    by_id = {c.code_id: c for c in codes}
    elements: dict[str, ET.Element] = {}

    def add(code: Code) -> ET.Element:
        if code.code_id in elements:
            return elements[code.code_id]
        parent_el = codebook if not code.parent_id or code.parent_id not in by_id else add(by_id[code.parent_id])
        attrs = {"guid": guid("code", code.code_id), "name": code.name, "isCodable": "true"}
        if code.color:
            attrs["color"] = code.color
        el = ET.SubElement(parent_el, q("Code"), attrs)
        if code.description:
            ET.SubElement(el, q("Description")).text = code.description
        elements[code.code_id] = el
        return el

    for c in codes:
        add(c)

    src_root = ET.SubElement(project, q("Sources"))
    src_el: dict[str, ET.Element] = {}
    lengths: dict[str, int] = {}
    for s in sources:
        g = guid("source", s.doc_id)
        src_el[s.doc_id] = ET.SubElement(src_root, q("TextSource"), {
            "guid": g, "name": s.name, "plainTextPath": f"internal://{g}.txt", "creatingUser": user_guid,
            "creationDateTime": now})
        lengths[s.doc_id] = len(s.text)
    for i, c in enumerate(codings):
        if c.doc_id not in src_el or c.code_id not in elements:
            raise ValueError(f"coding {i} refers to unknown source {c.doc_id!r} or code {c.code_id!r}")
        if not 0 <= c.start < c.end <= lengths[c.doc_id]:
            raise ValueError(f"coding {i} span {c.start}-{c.end} is outside source {c.doc_id[:12]}")
        sel = ET.SubElement(src_el[c.doc_id], q("PlainTextSelection"), {
            "guid": guid("sel", c.doc_id, str(c.start), str(c.end), c.code_id), "name": f"{c.code_id}",
            "startPosition": str(c.start), "endPosition": str(c.end), "creatingUser": user_guid,
            "creationDateTime": now})
        if c.confidence is not None or c.note:
            ET.SubElement(sel, q("Description")).text = (
                (f"machine coding, confidence {c.confidence:.2f}" if c.confidence is not None else "")
                + (f"; {c.note}" if c.note else ""))
        coding = ET.SubElement(sel, q("Coding"), {"guid": guid("coding", c.doc_id, str(c.start), c.code_id),
                                                 "creatingUser": user_guid, "creationDateTime": now})
        ET.SubElement(coding, q("CodeRef"), {"targetGUID": guid("code", c.code_id)})
    return project


def write_qdpx(path: Path, codes: Sequence[Code], sources: Sequence[Source], codings: Iterable[Coding],
               name: str = "udiplo export") -> Path:
    """Write a .qdpx archive atomically (temporary file, then rename)."""
    project = build_project(codes, sources, codings, name)
    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for s in sources:
            z.writestr(f"sources/{guid('source', s.doc_id)}.txt", s.text.encode("utf-8"))
    return path
