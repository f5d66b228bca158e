"""Helpers shared by the improvement measure tests."""

from datetime import date

from server.extensions import db
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_details

MON = date(2026, 2, 2)  # a Monday; London is on GMT in February


def d(day: int, month: int = 2) -> date:
    return date(2026, month, day)


def measure(world, metric: str, service=None, **fields) -> ImprovementMeasure:
    values = {
        "service_id": (service or world.home).id,
        "name": metric,
        "metric": metric,
        "baseline": 60.0,
        "target": 90.0,
        "start_date": MON,
        "deadline": d(16, 3),
        "created_by": world.users["registered_manager"].id,
    }
    values.update(fields)
    item = ImprovementMeasure(**values)
    db.session.add(item)
    db.session.flush()
    return item


def measure_series(item: ImprovementMeasure, today: date | None = None) -> list[dict]:
    """[{"week_start", "value", "numerator", "denominator"}] for every week so far: the
    series the measure's detail carries."""
    return measure_details([item], today)[0]["series"]
