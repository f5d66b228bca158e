"""docs/reports.md says what each figure counts in the words server/log/figures.py defines."""

from pathlib import Path

from server.log.figures import FIGURES, markdown_table

DOC = Path(__file__).resolve().parent.parent / "docs" / "reports.md"


def test_the_docs_table_is_the_figures_table():
    text = DOC.read_text()
    assert markdown_table() in text, "regenerate the table: server.log.figures.markdown_table()"
    section = text.split("### The log's figures")[1].split("###")[0]
    rows = [line for line in section.splitlines() if line.startswith("| **")]
    assert len(rows) == len(FIGURES)
