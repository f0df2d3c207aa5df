"""The trials' and costs' pages."""

from flask import Blueprint

bp = Blueprint("trials", __name__)
