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
    def permissions_doc_command():
        """Print the permission table as Markdown."""
        from server.accounts.permissions import markdown_table

        click.echo(markdown_table())
