"""Migration 0009_emails on a SQLite database that already has people: SQLite copies the
table to change its unique constraint, and every reference to a person must survive."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from seed import factories as f
from server import create_app
from server.extensions import db
from tests.support.old_rows import copy_rows, scratch_app

TABLES = ["provider", "service", "user_account", "membership"]


def test_people_and_their_references_survive_the_upgrade_and_its_undoing(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    scratch = tmp_path / "scratch.db"
    with scratch_app(scratch).app_context():  # today's factories need today's columns
        upgrade()
        provider = f.make_provider("Brightwater Care")
        person = f.make_user(
            provider,
            "care_worker",
            f.make_service(provider, "Ashdown House"),
            email="sam@example.test",
        )
        db.session.commit()
        pid, uid = provider.id.hex, person.id.hex
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        upgrade(revision="0008_sessions")
        copy_rows(scratch, TABLES)
        db.session.remove()

        upgrade()
        rival = f.make_provider("Elsewhere Care Ltd")
        f.make_user(rival, "care_worker", email="sam@example.test")  # another provider's Sam
        db.session.commit()
        rows = db.session.execute(
            text(
                "SELECT u.provider_id, m.role FROM user_account u JOIN membership m "
                "ON m.user_id = u.id WHERE u.id = :id"
            ),
            {"id": uid},
        ).all()
        assert rows == [(pid, "care_worker")]
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.execute(text("DELETE FROM membership WHERE user_id <> :id"), {"id": uid})
        db.session.execute(text("DELETE FROM user_account WHERE id <> :id"), {"id": uid})
        db.session.commit()
        db.session.remove()

        downgrade(revision="0008_sessions")
        assert db.session.execute(text("SELECT count(*) FROM membership")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
