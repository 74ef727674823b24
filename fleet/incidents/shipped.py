"""The incident categories camfleet ships: the descriptions of the observers' register in section 7 of Venlo's annual
camera report 2023 ("Door gemeentelijke camera-observanten waargenomen incidenten",
docs/sources/venlo-jaarverslag-cameratoezicht-2023.txt), in the report's order and spelling. A public document of the
municipality of Venlo, quoted as data; every municipality edits the list to its own (renames, additions, retired
categories) on the Incidents page or through the API."""

from __future__ import annotations

from typing import Any

SHIPPED: tuple[str, ...] = (
    "Zakkenrollen tijdens winkelopeningstijden (observaties markt/winkels; elke dienst meegenomen bij de observatie)",
    "Verkeer (scooters/taxi's/auto's): rijden onder invloed/verkeerd parkeren/aanrijdingen",
    "Wildplassen",
    "Vernielingen/baldadigheid/overlastgevende personen",
    "Alcoholgebruik",
    "Bedelen",
    "Overlast diverse (o.a. zwervers, alcohol- en drugsverslaafden)",
    "Winkeldiefstal",
    "Prostitutie",
    '"Vermiste" personen',
    "Vuurwerk",
    "Speciaal verzoek van politie en meldkamer: observatie specifiek gebied/personen",
    "Hangjongeren",
    "Verwarde personen",
    "Belediging/bedreiging",
    "Geweld vechtpartijen/opstootjes/dreigende escalatie",
    "Gebiedsverbod",
    "Diefstal van voertuigen",
    "Fietsendiefstal (op heterdaad geconstateerd)",
    "Drugsgelateerde incidenten: Gebruik op/aan de openbare weg",
    "Aantreffen koffer met geldbedrag 192.000",
    "Observatie specifieke gebieden i.v.m. drugspannen of daaraan gerelateerde personen in samenwerking met het "
    'flexteam, Pandora en "Hoover"',
    'Projecten boa\'s: "bijvangst" afval bij ondergrondse containers;',
    "Wet wapens en munitie",
    "Overvallen alarm",
    "Overval",
    "oplichting",
    "mishandeling",
    "zedes",
    "ontvoering",
    "achtervolging",
    "huiselijk geweld",
    "persoon op het spoor",
    "gaslek",
    "overleden persoon aangetroffen",
    "binnenstad",
    "steekpartij",
    "beroving/straatroof",
    "geschoten",
    "wisseltruc",
    "illegaal aanplakken",
    "demonstratie",
    "dumping afval",
    "onwelwordingen",
    "Aanhouding buiten heterdaad",
    "Observatie uitgaanspubliek, vooral in het weekend 's nachts. Tevens observatie diverse evenementen en VVV+",
    "Brand/brandstichting",
    "Overlast dakloze arbeidsmigranten",
    "Inbraak",
    "Wet ID/Vals ID",
    "Suicide",
    "Vals geld",
    "Observatie pand",
    "Geluidsoverlast",
    "Projecten boa's i.s.m. politie Actiedagen dak- en thuislozen/dakloze arbeidsmigranten",
)


def shipped_rows() -> list[dict[str, Any]]:
    """The shipped list as rows of ``incident_categories`` (written by the migration that creates the table)."""
    return [{"name": name, "position": position, "active": True} for position, name in enumerate(SHIPPED, 1)]
