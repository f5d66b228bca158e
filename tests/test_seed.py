"""Demo data: `flask --app server seed` builds Brightwater Care Group with twelve weeks of
history, the article's three examples and every early warning; builds are reproducible;
`--scale large` builds the benchmark provider through bulk inserts."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from seed import demo, plans
from server import create_app
from server.accounts.models import Membership, User
from server.accounts.permissions import PROVIDER_ROLES, ROLE_LABELS, ROLES
from server.accounts.services import authenticate
from server.audit.models import AuditEvent
from server.common.dates import london_date
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note
from server.log.signals import SIGNALS
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_detail
from server.oversight.cadence import review_cadence
from server.providers.models import Provider, Service
from server.reviews.models import Review, ReviewItem
from tests.support import seed_demo as shared
from tests.support.early_warnings import early_warnings
from tests.support.seed_demo import DAY, END, digest, entry_about, role_of

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: this one comes from tests/support.
seeded = shared.seeded


@pytest.mark.usefixtures("seeded")
class TestDemo:
    def test_seed_command_reports_what_it_built(self, seeded):
        _app, result = seeded
        assert result.exit_code == 0, result.output
        assert result.output.startswith("Built Brightwater Care Group: 3 services")
        assert "password careloop-demo" in result.output

    def test_one_provider_three_services_and_a_user_for_every_role(self):
        provider = db.session.scalars(select(Provider)).one()
        assert provider.name == "Brightwater Care Group"
        services = db.session.scalars(select(Service).order_by(Service.name)).all()
        assert [(s.name, s.kind) for s in services] == [
            ("Ashdown House", "care_home"),
            ("Beech Court", "care_home"),
            ("Brightwater Home Care – Lewes", "domiciliary"),
        ]
        ashdown = services[0]
        roles = {
            m.role: m.service_id
            for m in db.session.scalars(select(Membership))
            if m.service_id in (None, ashdown.id)
        }
        assert set(roles) == set(ROLES)
        assert all((roles[r] is None) == (r in PROVIDER_ROLES) for r in ROLES)
        for service in services:
            assert "Handover" in service.routines and service.areas
            assert {qs["id"] for qs in service.question_sets} == {"visibility", "follow-up"}

    def test_demo_logins_use_the_demo_password(self):
        emails = [email for _role, email in demo.DEMO_LOGINS]
        assert {role for role, _email in demo.DEMO_LOGINS} == set(ROLES)
        assert "rm@brightwater.example" in emails
        [rm] = authenticate("rm@brightwater.example", demo.DEMO_PASSWORD)
        assert rm.display_name
        assert len(set(db.session.scalars(select(User.password_hash)))) == 1

    def test_demo_logins_are_the_demo_providers_people_only(self):
        # Emails are unique per provider: another provider's "rm@" is not a demo login.
        from seed import factories

        before = demo.logins()
        rival = factories.make_provider("Elsewhere Care Ltd")
        factories.make_user(
            rival, "care_worker", name="Not The Demo Manager", email="rm@brightwater.example"
        )
        db.session.flush()
        try:
            assert demo.logins() == before
            assert "Not The Demo Manager" not in str(before)
        finally:
            db.session.rollback()

    def test_history_covers_twelve_weeks_on_the_simulated_clock(self):
        first = db.session.scalar(select(func.min(Finding.received_at)))
        last = db.session.scalar(select(func.max(AuditEvent.at)))
        assert london_date(first) == DAY - timedelta(days=83)
        assert last <= END
        assert set(db.session.scalars(select(AuditEvent.channel).distinct())) == {"seed"}
        people = db.session.scalars(select(Finding.people_involved)).all()
        assert all(p == "" or p.startswith(("Room ", "Relative of ", "Client C-")) for p in people)

    def test_example_1_missed_follow_ups(self):
        entry = entry_about("Follow-up actions from appointments, incidents and handovers")
        assert entry.status == "closed" and role_of(entry.owner_id) == "deputy_manager"
        assert {
            f.source
            for f in db.session.scalars(select(Finding).where(Finding.log_entry_id == entry.id))
        } == {"appointment", "incident", "family_communication", "handover"}
        assert [c.reason[:22] for c in entry.carry_forwards] == ["Next-day checks only r"]
        assert {e.type for e in entry.evidence} >= {
            "audit",
            "handover_record",
            "staff_practice_check",
            "governance_minutes",
        }
        authors = {
            role_of(n.author_id)
            for n in db.session.scalars(select(Note).where(Note.entry_id == entry.id))
        }
        assert {"care_coordinator", "deputy_manager", "registered_manager"} <= authors
        assert self._reviews_of(entry) >= {
            ("provider_monthly", "provider_quality_lead", "assurance"),
            ("provider_monthly", "nominated_individual", "assurance"),
            ("rm_weekly", "registered_manager", "assurance"),
        }

    def test_example_2_senior_visibility(self):
        entry = entry_about("Staff and people we support say senior staff are not visible")
        assert entry.status == "in_progress" and role_of(entry.owner_id) == "registered_manager"
        linked = db.session.scalars(select(Finding).where(Finding.log_entry_id == entry.id)).all()
        assert len([f for f in linked if f.kind == "feedback" and f.sentiment == "negative"]) >= 3
        assert len(entry.carry_forwards) == 1 and entry.interim_controls
        assert {e.type for e in entry.evidence} == {"feedback", "observation"}
        assert ("provider_monthly", "nominated_individual", "challenge") in self._reviews_of(entry)
        rounds = db.session.scalar(
            select(func.count())
            .select_from(Walkaround)
            .join(User, User.id == Walkaround.conducted_by)
            .where(
                Walkaround.kind == "visibility_round", User.email == "senior@brightwater.example"
            )
        )
        assert rounds >= 10

    def test_example_3_audit_escalation(self):
        entry = entry_about("Audits identify high-risk concerns")
        assert (entry.risk, entry.status, entry.escalation_decision) == (
            "high",
            "awaiting_sign_off",
            "escalated",
        )
        assert role_of(entry.created_by) == "provider_quality_lead"
        ashdown = db.session.get(Service, entry.service_id)
        assert ashdown.name == "Ashdown House"
        assert ashdown.escalation_criteria.endswith(
            "the deputy manager records the escalation decision in the log within 24 hours."
        )
        audits = db.session.scalars(
            select(LogEntry).where(LogEntry.source == "audit", LogEntry.risk == "high")
        ).all()
        assert len(audits) == 8 and all(e.escalation_decision for e in audits)
        signed = [e for e in audits if e.signed_off_by]
        assert len(signed) >= 4
        assert {role_of(e.signed_off_by) for e in signed} == {
            "nominated_individual",
            "provider_quality_lead",
        }
        challenged = db.session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "challenge")
        ).all()
        assert str(signed[0].id) in challenged or any(str(e.id) in challenged for e in signed)

    def test_the_three_improvement_measures_have_weekly_figures(self):
        measures = {m.metric: m for m in db.session.scalars(select(ImprovementMeasure))}
        expected = {
            "follow_ups_within_timescale": (
                "90% of follow-up actions completed within timescale",
                90,
                6,
            ),
            "positive_visibility_feedback": (
                "85% positive feedback on leadership visibility",
                85,
                8,
            ),
            "high_risk_audit_escalation": (
                "100% of high-risk audit findings with a recorded escalation decision",
                100,
                6,
            ),
        }
        assert set(measures) == set(expected)
        for metric, (name, target, weeks) in expected.items():
            measure = measures[metric]
            assert (measure.name, measure.target) == (name, target)
            assert measure.deadline - measure.start_date == timedelta(weeks=weeks)
            detail = measure_detail(measure, DAY)
            assert detail["progress"]["status"] != "no_data", metric
            assert sum(1 for p in detail["series"] if p["denominator"]) >= 4, metric

    def test_every_early_warning_signal_has_something_to_show(self):
        provider = db.session.scalars(select(Provider)).one()
        shown = {w.signal for w in early_warnings(provider, today=DAY, now=END)}
        assert shown == set(SIGNALS)

    def test_the_home_care_weekly_review_is_overdue(self):
        provider = db.session.scalars(select(Provider)).one()
        overdue = {
            row["service_name"]: row["rm"]["overdue"]
            for row in review_cadence(provider, today=DAY, now=END)
        }
        assert overdue == {
            "Ashdown House": False,
            "Beech Court": False,
            "Brightwater Home Care – Lewes": True,
        }

    def test_history_has_owners_carry_forwards_evidence_and_sign_offs(self):
        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        assert count(Walkaround) > 250 and count(Finding) > 500 and count(LogEntry) > 100
        assert (
            count(
                Walkaround,
                ~Walkaround.id.in_(
                    select(Finding.walkaround_id).where(Finding.walkaround_id.is_not(None))
                ),
            )
            > 50
        )  # most walkarounds find nothing
        assert count(LogEntry, LogEntry.status != "draft", LogEntry.owner_id.is_(None)) == 0
        assert count(CarryForward) >= 10 and count(EvidenceRef) > 100
        assert (
            count(
                LogEntry,
                LogEntry.risk == "high",
                LogEntry.status == "closed",
                LogEntry.signed_off_by.is_(None),
            )
            == 0
        )
        assert count(Review, Review.kind == "rm_weekly") >= 30
        assert count(ReviewItem, ReviewItem.outcome == "challenge") >= 2

    def test_every_decision_fits_its_concern(self):
        """A dentist-referral concern gets an appointments decision, not a call-bell audit:
        each entry's concern and decision share a topic; an entry made from a plan has the
        plan's evidence and statements, and an owner in the role its decision names."""
        entries = db.session.scalars(select(LogEntry).where(LogEntry.decision != "")).all()
        assert len(entries) > 100
        by_decision = {p.decision: p for p in plans.PLANS.values()}
        for entry in entries:
            shared_topics = set(plans.topics_in(entry.concern)) & set(
                plans.topics_in(entry.decision)
            )
            assert shared_topics, (entry.concern, entry.decision)
            plan = by_decision.get(entry.decision)
            if plan is None:
                continue  # one of the stories' own entries
            assert plans.plan_for(entry.concern.rsplit(" (", 1)[0]) == plan, entry.concern
            assert entry.evidence_needed == plan.evidence
            assert sorted(s.id for s in entry.statements) == sorted(plan.statements)
            assert role_of(entry.owner_id) == plan.role, (entry.decision, entry.owner_id)
        dentist = [e for e in entries if "dentist referral" in e.concern]
        assert dentist and all("dentist" in e.decision for e in dentist)

    def test_demo_logins_command_prints_every_role(self, seeded):
        app, _result = seeded
        output = app.test_cli_runner().invoke(args=["demo-logins"]).output
        for role in ROLES:
            assert ROLE_LABELS[role] in output
        for _role, email in demo.DEMO_LOGINS:
            assert email in output
        assert output.rstrip().endswith("Password for every demo login: careloop-demo")

    def test_if_empty_does_not_seed_twice(self, seeded):
        app, _result = seeded
        before = db.session.scalar(select(func.count()).select_from(Finding))
        result = app.test_cli_runner().invoke(args=["seed", "--if-empty"])
        assert result.output.strip() == "The database already has data; not seeding."
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Finding)) == before
        assert db.session.scalar(select(func.count()).select_from(Provider)) == 1

    def test_two_builds_give_identical_data(self, tmp_path):
        from flask_migrate import upgrade

        first = digest()
        other = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'again.db'}",
                "SECRET_KEY": "test",
                "INSTANCE_PATH": str(tmp_path / "i"),
            }
        )
        with other.app_context():
            upgrade()
            demo.build(DAY)
            db.session.commit()
            second = digest()
            db.session.remove()
            db.engine.dispose()
        assert first == second

    @staticmethod
    def _reviews_of(entry) -> set:
        rows = db.session.execute(
            select(Review.kind, Review.reviewer_id, ReviewItem.outcome)
            .join(ReviewItem, ReviewItem.review_id == Review.id)
            .where(ReviewItem.entry_id == entry.id)
        )
        return {(kind, role_of(reviewer), outcome) for kind, reviewer, outcome in rows}


def test_large_scale_smoke_run_builds_the_counts_asked_for(app):
    from seed import large

    result = app.test_cli_runner().invoke(
        args=[
            "seed",
            "--scale",
            "large",
            "--services",
            "3",
            "--findings",
            "2000",
            "--entries",
            "400",
            "--tablets",
            "10",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Built {large.PROVIDER_NAME} in ")

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    assert count(Service) == 3 and count(Finding) == 2000 and count(LogEntry) == 400
    floor = count(Membership, Membership.role.in_(("care_worker", "senior_carer", "key_worker")))
    assert floor == 10 and count(User) == 10 + 3 * 4 + 3
    assert count(CarryForward) > 0 and count(EvidenceRef) > 0 and count(Note) > 0
    assert count(AuditEvent) > 2000 and count(Walkaround) > 0 and count(Review) > 0
    assert count(Finding, Finding.log_entry_id.is_not(None)) > 0
    # Closure rules hold in bulk too: evidence on every closure, sign-off on high risk.
    assert (
        count(LogEntry, LogEntry.status == "closed", ~LogEntry.id.in_(select(EvidenceRef.entry_id)))
        == 0
    )
    assert (
        count(
            LogEntry,
            LogEntry.status == "closed",
            LogEntry.risk == "high",
            LogEntry.signed_off_by.is_(None),
        )
        == 0
    )
    # Change sequences: unique, and the counter at the highest one handed out.
    seqs = []
    for model in (Walkaround, Finding, LogEntry, EvidenceRef, Note):
        seqs += db.session.scalars(select(model.change_seq)).all()
    assert len(set(seqs)) == len(seqs) and min(seqs) > 0
    counter = db.session.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar()
    assert counter == max(seqs)
