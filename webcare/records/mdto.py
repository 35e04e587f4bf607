"""MDTO 1.0.2 XML for an archived case (informatieobject) and each of its files (bestand)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from webcare.records.retention import RetentionCategory

NAMESPACE = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.2.xsd"
ET.register_namespace("", NAMESPACE)
ET.register_namespace("xsi", XSI)

MDTO_LISTS = {
    "aggregatieniveau": "Begrippenlijst Aggregatieniveau MDTO",
    "dekkingInTijdType": "Begrippenlijst DekkingInTijdType MDTO",
    "eventType": "Begrippenlijst Events MDTO",
    "waardering": "Begrippenlijst Waardering MDTO",
    "beperkingGebruikType": "Begrippenlijst BeperkingGebruik MDTO",
    "checksumAlgoritme": "Begrippenlijst ChecksumAlgoritme MDTO",
    "bestandsformaat": "PRONOM-register",
}
# PRONOM unique identifiers of the two formats in a package.
FILE_FORMATS = {
    "pdf": ("Acrobat PDF/A - Portable Document Format 2b", "fmt/477"),
    "json": ("JSON Data Interchange Format", "fmt/817"),
}


@dataclass(frozen=True)
class Creator:
    """The archive creator (archiefvormer): the organisation, with its identifier and where that comes from."""

    name: str
    identifier: str
    source: str


@dataclass(frozen=True)
class ArchivedFile:
    identifier: str
    name: str
    kind: str  # a key of FILE_FORMATS
    size: int
    sha256: str


@dataclass(frozen=True)
class ArchivedCase:
    identifier: str
    name: str
    topic_id: str | None
    topic_label: str | None
    classification_list: str
    description: str
    started_on: date
    closed_at: datetime
    created_at: datetime
    outcome_label: str
    category: RetentionCategory
    schedule_version: str
    files: tuple[ArchivedFile, ...]


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _identification(parent: ET.Element, tag: str, identifier: str, source: str) -> None:
    element = _add(parent, tag)
    _add(element, "identificatieKenmerk", identifier)
    _add(element, "identificatieBron", source)


def _reference(
    parent: ET.Element, tag: str, name: str, identifier: str | None = None, source: str | None = None
) -> None:
    element = _add(parent, tag)
    _add(element, "verwijzingNaam", name)
    if identifier:
        _identification(element, "verwijzingIdentificatie", identifier, source or name)


def _concept(
    parent: ET.Element, tag: str, label: str, code: str | None = None, concept_list: str | None = None
) -> None:
    element = _add(parent, tag)
    _add(element, "begripLabel", label)
    if code:
        _add(element, "begripCode", code)
    _reference(element, "begripBegrippenlijst", concept_list or MDTO_LISTS[tag])


def _document(root_tag: str) -> tuple[ET.Element, ET.Element]:
    root = ET.Element(f"{{{NAMESPACE}}}MDTO", {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    return root, _add(root, root_tag)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True, default_namespace=NAMESPACE) + b"\n"


def informatieobject_xml(case: ArchivedCase, creator: Creator) -> bytes:
    """The case as an MDTO informatieobject, its elements in the schema's order."""
    root, record = _document("informatieobject")
    _identification(record, "identificatie", case.identifier, f"Webcare {creator.name}")
    _add(record, "naam", case.name)
    _concept(record, "aggregatieniveau", "Zaak")
    _concept(
        record, "classificatie", case.topic_label or "Geen onderwerp", case.topic_id or "geen", case.classification_list
    )
    _add(record, "omschrijving", case.description)
    coverage = _add(record, "dekkingInTijd")
    _concept(coverage, "dekkingInTijdType", "Periode")
    _add(coverage, "dekkingInTijdBegindatum", case.started_on.isoformat())
    _add(coverage, "dekkingInTijdEinddatum", case.closed_at.date().isoformat())
    _add(record, "taal", "nl")
    for event_type, moment, result in (
        ("Aanmaak", case.created_at, None),
        ("Afsluiting", case.closed_at, case.outcome_label),
    ):
        event = _add(record, "event")
        _concept(event, "eventType", event_type)
        _add(event, "eventTijd", moment.replace(microsecond=0).isoformat())
        _reference(event, "eventVerantwoordelijkeActor", creator.name, creator.identifier, creator.source)
        if result:
            _add(event, "eventResultaat", result)
    schedule_list = f"Bewaarschema Webcare {case.schedule_version}"
    if case.category.is_kept_permanently:
        _concept(record, "waardering", "Blijvend te bewaren", "B")
    else:
        _concept(record, "waardering", "Te vernietigen", "V")
        term = _add(record, "bewaartermijn")
        _concept(term, "termijnTriggerStartLooptijd", "Afsluiting zaak", None, schedule_list)
        _add(term, "termijnStartdatumLooptijd", case.closed_at.date().isoformat())
        _add(term, "termijnLooptijd", f"P{case.category.term_months}M")
        _add(term, "termijnEinddatum", case.category.destroy_after(case.closed_at).date().isoformat())
    _concept(record, "informatiecategorie", case.category.label, case.category.id, schedule_list)
    for file in case.files:
        _reference(record, "heeftRepresentatie", file.name, file.identifier, f"Webcare {creator.name}")
    _reference(record, "archiefvormer", creator.name, creator.identifier, creator.source)
    _reference(record, "activiteit", "Webcare: beantwoorden van vragen en meldingen van inwoners via online kanalen")
    restriction = _add(record, "beperkingGebruik")
    _concept(restriction, "beperkingGebruikType", "Openbaarheidsbeperking")
    _add(
        restriction,
        "beperkingGebruikNadereBeschrijving",
        "Bevat persoonsgegevens van inwoners (AVG); niet openbaar, raadpleging alleen na toestemming.",
    )
    return _serialise(root)


def bestand_xml(file: ArchivedFile, case: ArchivedCase, creator: Creator, checked_at: datetime) -> bytes:
    """One file of the case as an MDTO bestand: size, PRONOM format, SHA-256 checksum, and which record it shows."""
    root, element = _document("bestand")
    _identification(element, "identificatie", file.identifier, f"Webcare {creator.name}")
    _add(element, "naam", file.name)
    _add(element, "omvang", str(file.size))
    label, code = FILE_FORMATS[file.kind]
    _concept(element, "bestandsformaat", label, code)
    checksum = _add(element, "checksum")
    _concept(checksum, "checksumAlgoritme", "SHA256")
    _add(checksum, "checksumWaarde", file.sha256)
    _add(checksum, "checksumDatum", checked_at.replace(microsecond=0, tzinfo=None).isoformat())
    _reference(element, "isRepresentatieVan", case.name, case.identifier, f"Webcare {creator.name}")
    return _serialise(root)
