"""Command-line tools: ``flask --app server <command>``."""

import click
from flask import Flask

from server.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--scale", type=click.Choice(["demo", "large"]), default="demo",
                  help="demo: one provider, three services. large: the benchmark provider.")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
    def seed_command(scale: str, if_empty: bool):
        """Load demo data (fixed Faker seed: two runs give identical data)."""
        from seed import demo, large
        from server.providers.models import Provider

        if if_empty and db.session.scalar(db.select(Provider.id).limit(1)) is not None:
            click.echo("The database already has data; not seeding.")
            return
        if scale == "large":
            large.build()
        else:
            summary = demo.build()
            db.session.commit()
            click.echo(summary)

    @app.cli.command("load-framework")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def load_framework_command(path: str):
        """Load a CQC framework version from a JSON file (docs/frameworks.md)."""
        from server.framework.services import load_framework

        framework = load_framework(path)
        db.session.commit()
        click.echo(f"Loaded {framework.id}: {framework.name}")

    @app.cli.command("permissions-doc")
    @click.option("--write", is_flag=True, help="Rewrite the table in docs/permissions.md.")
    def permissions_doc_command(write: bool):
        """Print (or write into docs/permissions.md) the permission table as Markdown."""
        from pathlib import Path

        from server.accounts.permissions import markdown_table

        table = markdown_table()
        if not write:
            click.echo(table)
            return
        doc = Path(app.root_path).parent / "docs" / "permissions.md"
        text = doc.read_text(encoding="utf-8")
        head, rest = text.split("<!-- table:begin -->", 1)
        tail = rest.split("<!-- table:end -->", 1)[1]
        doc.write_text(f"{head}<!-- table:begin -->\n{table}\n<!-- table:end -->{tail}",
                       encoding="utf-8")
        click.echo(f"Wrote {doc}")
