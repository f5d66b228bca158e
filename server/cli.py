"""Command-line tools: ``flask --app server <command>``."""

import click
from flask import Flask

from server.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option(
        "--scale",
        type=click.Choice(["demo", "large"]),
        default="demo",
        help="demo: one provider, three services. large: the benchmark provider.",
    )
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="End the history on this day (YYYY-MM-DD) instead of now.",
    )
    @click.option("--services", type=int, default=50, show_default=True, help="large only.")
    @click.option("--findings", type=int, default=1_000_000, show_default=True, help="large only.")
    @click.option("--entries", type=int, default=200_000, show_default=True, help="large only.")
    @click.option("--tablets", type=int, default=200, show_default=True, help="large only.")
    def seed_command(
        scale: str, if_empty: bool, today, services: int, findings: int, entries: int, tablets: int
    ):
        """Load demo data (fixed Faker seed: two runs give identical data)."""
        from seed import demo, large
        from server.providers.models import Provider

        if if_empty and db.session.scalar(db.select(Provider.id).limit(1)) is not None:
            click.echo("The database already has data; not seeding.")
            return
        day = today.date() if today else None
        if scale == "large":
            # The large build commits chunk by chunk (a bulk load of millions of rows).
            click.echo(
                large.build(
                    services=services,
                    findings=findings,
                    entries=entries,
                    tablets=tablets,
                    today=day,
                )
            )
        else:
            summary = demo.build(day)
            db.session.commit()
            click.echo(summary)

    @app.cli.command("demo-logins")
    def demo_logins_command():
        """Print the demo logins (role, name, email) and the demo password."""
        from seed import demo
        from server.accounts.permissions import ROLE_LABELS

        rows = [(ROLE_LABELS[role], name, email) for role, name, email in demo.logins()]
        if not rows:
            click.echo("No demo logins: load the demo data with `flask --app server seed`.")
            return
        widths = [max(len(row[i]) for row in rows + [("Role", "Name", "Email")]) for i in range(3)]
        for row in [("Role", "Name", "Email")] + rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            click.echo("  ".join(cells).rstrip())
        click.echo(f"Password for every demo login: {demo.DEMO_PASSWORD}")

    @app.cli.command("create-provider")
    @click.argument("name")
    @click.option("--admin-email", required=True, help="The provider admin's email address.")
    @click.option("--admin-name", required=True, help="The provider admin's name.")
    def create_provider_command(name: str, admin_email: str, admin_name: str):
        """Start a new provider and its provider admin; print the admin's one-time set-up code."""
        from server.errors import Invalid
        from server.ops.onboarding import create_provider

        try:
            provider, admin, code = create_provider(name, admin_email, admin_name)
        except Invalid as exc:
            db.session.rollback()
            for field, why in exc.fields.items():
                click.echo(f"{field}: {why}", err=True)
            raise SystemExit(1) from exc
        db.session.commit()
        click.echo(
            f"Created {provider.name} with provider admin {admin.display_name} <{admin.email}>."
        )
        click.echo("Give the admin this one-time set-up code. On the login screen they choose")
        click.echo(
            f'"Have a reset code?" and set their own password (valid until '
            f"{code.expires_at:%d %b %Y %H:%M} UTC):"
        )
        click.echo(code.token)

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
        doc.write_text(
            f"{head}<!-- table:begin -->\n{table}\n<!-- table:end -->{tail}", encoding="utf-8"
        )
        click.echo(f"Wrote {doc}")

    @app.cli.command("send-digests")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The day to report on (YYYY-MM-DD); default today in London.",
    )
    def send_digests_command(today):
        """Email the daily digest to everyone who opted in (docs/deployment.md)."""
        from server.notify import MailError, mail_configured, send_digests

        if not mail_configured():
            click.echo("Email is not configured (MAIL_SERVER is not set): no digest sent.")
            return
        try:
            sent = send_digests(today.date() if today else None)
        except MailError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Sent {sent} digest{'' if sent == 1 else 's'}.")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop.")
    @click.option(
        "--poll", type=float, default=2.0, show_default=True, help="Seconds between looks."
    )
    def worker_command(once: bool, poll: float):
        """Run background jobs and the periodic ones (docs/deployment.md, "The job runner")."""
        from server.jobs.worker import work

        work(once=once, poll=poll, say=click.echo)

    register_ops_commands(app)


def register_ops_commands(app: Flask) -> None:
    """Backups, restore, retention and subject access (docs/data-protection.md)."""

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False))
    def backup_command(path: str):
        """Back up the whole database to PATH (safe while the app runs)."""
        from server.ops.backup import BackupError, backup

        try:
            click.echo(backup(path))
        except BackupError as error:
            raise click.ClickException(str(error)) from error

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--yes", is_flag=True, help="Replace everything in the database.")
    def restore_command(path: str, yes: bool):
        """Replace the database's contents with the backup at PATH."""
        from server.ops.backup import BackupError, restore

        if not yes:
            raise click.ClickException(
                "Restoring replaces everything in the database with the backup. "
                "Stop the app, then run the command again with --yes."
            )
        try:
            click.echo(restore(path))
        except BackupError as error:
            raise click.ClickException(str(error)) from error

    @app.cli.command("retention")
    @click.option(
        "--apply/--dry-run",
        default=False,
        help="Erase (--apply) or only count (--dry-run, the default).",
    )
    def retention_command(apply: bool):
        """Erase records whose retention period has passed (docs/data-protection.md)."""
        from server.ops.retention import periods, run

        report = run(apply=apply)
        if apply:
            db.session.commit()
        else:
            db.session.rollback()
        click.echo(
            "Retention periods (days): "
            + ", ".join(f"{name} {days}" for name, days in periods().items())
        )
        for line in report.lines():
            click.echo(line)

    @app.cli.command("subject-access")
    @click.argument("email")
    @click.argument("outfile", type=click.Path(dir_okay=False))
    @click.option(
        "--provider",
        "provider_id",
        type=click.UUID,
        default=None,
        help="The provider's id, when accounts at several providers have EMAIL.",
    )
    def subject_access_command(email: str, outfile: str, provider_id):
        """Write everything held about the staff member with EMAIL to OUTFILE (JSON)."""
        import json
        import os

        from server.ops.subject_access import AmbiguousPerson, UnknownPerson, export

        try:
            data = export(email, provider_id)
        except (UnknownPerson, AmbiguousPerson) as error:
            raise click.ClickException(str(error)) from error
        # Everything held about a person: readable by the file's owner only, like backups.
        fd = os.open(outfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        counts = ", ".join(f"{k} {len(v)}" for k, v in data.items() if isinstance(v, list))
        click.echo(f"Wrote {outfile}: {counts}.")
