"""Safety and the people around the person: caution flags, the network, consent to share.

The blueprint's routes are imported by the app factory (casework/__init__.py), not here:
the access policy imports this package's models, and the routes import the policy."""

from flask import Blueprint

bp = Blueprint("safety", __name__)
