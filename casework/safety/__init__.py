"""Safety and the people around the person: caution flags, the network, consent to share
(the models are in casework/models/safety.py)."""

from flask import Blueprint

bp = Blueprint("safety", __name__)

from . import routes  # noqa: E402,F401
