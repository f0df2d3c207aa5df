"""The generated history the synthetic tests read: a few hundred people, one seed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.extensions import db
from tests.measures.test_reference import LOOKBACK

PEOPLE = 400


@pytest.fixture
def app_config():
    return {"REPEAT_LOOKBACK_DAYS": LOOKBACK}  # the reference figures' look-back


@pytest.fixture
def generated(app, runner):
    result = runner.invoke(args=["generate", "--people", str(PEOPLE), "--seed", "7"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return result.output


def all_of(model):
    return list(db.session.scalars(select(model).order_by(model.id)))
