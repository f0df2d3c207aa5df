"""The barriers' response shapes for the OpenAPI description (casework/api/openapi.py)."""

from __future__ import annotations

from ..models import BARRIER_KINDS, BARRIER_STATUSES


def schemas() -> dict:
    from ..api.openapi import INTEGER, MOMENT, N_INTEGER, N_STRING, STRING, _enum, _list, _object

    barrier = {
        "id": INTEGER,
        "team": STRING,
        "title": STRING,
        "description": N_STRING,
        "kind": _enum(BARRIER_KINDS),
        "owner_org": N_STRING,
        "status": _enum(BARRIER_STATUSES),
        "status_reason": {
            **N_STRING,
            "description": "Why it was last moved, if a reason was given",
        },
        "cases": {"type": "integer", "minimum": 0, "description": "Cases where it was met"},
        "version": INTEGER,
        "created_at": MOMENT,
        "updated_at": MOMENT,
    }
    return {
        "Barrier": _object(barrier),
        "BarrierList": _object({"results": _list("Barrier")}, "The most-met first"),
        "BarrierCase": _object(
            {
                "id": INTEGER,
                "barrier_id": INTEGER,
                "case_id": INTEGER,
                "cost": {**STRING, "description": "What it cost the person, in their words"},
                "recorded_by_id": N_INTEGER,
                "recorded_at": MOMENT,
            }
        ),
        "BarrierMove": _object(
            {
                "from_status": _enum(BARRIER_STATUSES, nullable=True),
                "to_status": _enum(BARRIER_STATUSES),
                "reason": N_STRING,
                "by_id": N_INTEGER,
                "at": MOMENT,
            }
        ),
        "BarrierDetail": _object(
            {**barrier, "links": _list("BarrierCase"), "history": _list("BarrierMove")},
            "The barrier, the cases where it was met and every move of its status, oldest first",
        ),
    }
