"""CQC framework versions and their quality statements, held as data."""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db


class Framework(db.Model):
    __tablename__ = "framework"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    published: Mapped[str] = mapped_column(String(40), default="")


class QualityStatement(db.Model):
    """One quality statement; ``id`` is stable across loads (framework id + code)."""

    __tablename__ = "quality_statement"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(40), ForeignKey("framework.id"), index=True)
    key_question: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class StatementMapping(db.Model):
    """A statement of one framework version that corresponds to one of another."""

    __tablename__ = "statement_mapping"

    from_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("quality_statement.id"), primary_key=True
    )
    to_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("quality_statement.id"), primary_key=True
    )
