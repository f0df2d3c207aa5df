"""Every figure of measures.md, computed once, for the pages, the API and the CLI."""

from .repeat import had_earlier_demand, is_repeat

__all__ = ["had_earlier_demand", "is_repeat"]
