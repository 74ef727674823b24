"""A report chapter as a Word document (python-docx): the same headings, tables and charts as the HTML and PDF, in
Word's own styles, so that a policy officer can paste it into the municipality's report and edit it there."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fleet.reports.chapter import Chapter, Chart, Subheading, Table, Text

A4 = (Mm(210), Mm(297))
MARGIN = Mm(16)


def _repeat_header(row: object) -> None:
    # Word repeats a row at the top of every page only when the row says so (w:tblHeader).
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(document: WordDocument, table: Table, line_width: int) -> None:
    if not table.rows:
        document.add_paragraph(table.empty)
        return
    word = document.add_table(rows=1, cols=len(table.headers))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    _repeat_header(word.rows[0])
    for cell, header in zip(word.rows[0].cells, table.headers, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].bold = True
    for values in table.rows:
        cells = word.add_row().cells
        for cell, value, numeric in zip(cells, values, table.numeric, strict=True):
            cell.text = value
            if numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for column, share in zip(word.columns, table.widths, strict=True):
        for cell in column.cells:
            cell.width = line_width * share // 100


def _page(document: WordDocument, landscape: bool) -> int:
    """Start a page in the orientation asked for (a new Word section where it changes); the line's width."""
    section = document.sections[-1]
    if (section.orientation == WD_ORIENT.LANDSCAPE) != landscape:
        section = document.add_section()
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (A4[1], A4[0]) if landscape else A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)
    return int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)


def write_docx(chapter: Chapter, charts: dict[str, bytes]) -> bytes:
    """The chapter as DOCX bytes, charts given as PNG by name."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    document.styles["Normal"].font.size = Pt(9.5)
    section.header.paragraphs[0].text = chapter.title
    document.add_heading(chapter.title, level=1)
    document.add_paragraph(chapter.meta)
    document.add_paragraph(chapter.contents, style="Heading 3")
    for part in chapter.sections:
        document.add_paragraph(part.heading, style="List Number")
    for part in chapter.sections:
        line = _page(document, landscape=False)
        document.add_heading(part.heading, level=2)
        following = [*part.blocks[1:], None]
        for block, after in zip(part.blocks, following, strict=True):
            if isinstance(block, Text):
                document.add_paragraph(block.text)
            elif isinstance(block, Subheading):
                # A heading goes with the wide table under it onto its landscape page.
                if isinstance(after, Table) and after.wide and after.rows:
                    line = _page(document, landscape=True)
                document.add_heading(block.text, level=3)
            elif isinstance(block, Chart):
                document.add_picture(io.BytesIO(charts[block.name]), width=line)
            else:
                line = _page(document, landscape=block.wide and bool(block.rows))
                _table(document, block, line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
