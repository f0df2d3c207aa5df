"""How the figures read on the page and in the CSV: a line per figure, with the parts
(numerator, denominator, splits) that open their lists. Presentation only: the numbers
come from figures.compute()."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Response

from .charts import format_value
from .names import JUDGEMENT_RECORDED, TITLES

COHORTS = ("pilot", "usual", "all")
COHORT_HEADINGS = {"pilot": "Pilot", "usual": "Usual practice", "all": "All"}


@dataclass(frozen=True)
class Count:
    """A number of a figure: its key in compute()'s dict, which is also the name of the
    part (figures.PARTS) whose list it opens."""

    key: str
    words: str


@dataclass(frozen=True)
class Line:
    figure: str
    title: str
    meaning: str
    numerator: Count | None
    denominator: Count
    details: tuple[Count, ...] = ()


LINES = (
    Line(
        "repeat_demand",
        TITLES["repeat_demand"],
        "Demands whose person had an earlier demand to the same team in the year before.",
        Count("repeat", "repeats"),
        Count("total", "demands"),
        (
            Count("while_open", "while a case was open"),
            Count("after_closure", "after a case had closed"),
            Count("no_case", "with no case (imported history)"),
        ),
    ),
    Line(
        "demands_per_person",
        TITLES["demands_per_person"],
        "Demands received, and how many different people they were about.",
        Count("demands", "demands"),
        Count("people", "people"),
    ),
    Line(
        "referral_mismatch",
        TITLES["referral_mismatch"],
        "Cases opened whose owner judged the referral described the real problem only partly "
        "or not at all.",
        Count("mismatch", "did not match"),
        Count("recorded", JUDGEMENT_RECORDED),
        (
            Count("no", "not at all"),
            Count("partly", "partly"),
            Count("yes", "matched"),
        ),
    ),
    Line(
        "failure_demand",
        TITLES["failure_demand"],
        "Demands caused by a failure to do something or do it right, of those classified.",
        Count("failure", "failure demands"),
        Count("classified", "classified"),
        (
            Count("value", "value demands"),
            Count("unclassified", "not classified"),
        ),
    ),
    Line(
        "handoffs",
        "No handoffs",
        "Cases closed that kept their first owner throughout.",
        Count("zero_handoffs", "with no handoff"),
        Count("closed", "cases closed"),
        (Count("with_handoffs", "with a change of owner"),),
    ),
    Line(
        "same_worker",
        TITLES["same_worker"],
        "New cases for a person with an earlier closed case that went back to that case's owner.",
        Count("same_worker", "to the same worker"),
        Count("recontacts", "re-contacts"),
        (
            Count("owner_left", "previous owner had left the team"),
            Count("other_worker", "to another worker"),
        ),
    ),
    Line(
        "closed_by_agreement",
        TITLES["closed_by_agreement"],
        "Cases closed whose closure records the person's agreement. The other endings are "
        "counted beside it: the person died, moved away or declined support, or another team "
        "took the case on.",
        Count("agreed", "agreed"),
        Count("closed", "cases closed"),
        (
            Count("transferred", "transferred to another team"),
            Count("died", "the person died"),
            Count("moved_away", "the person moved away"),
            Count("declined_support", "the person declined support"),
        ),
    ),
    Line(
        "end_to_end_days",
        "End-to-end time",
        "Days from a case's first demand to its closure: median and 90th percentile. Every "
        "ending counts but a transfer: the person's journey goes on in the receiving team's "
        "case, which counts from the first demand of the case it continues.",
        None,
        Count("closed", "cases closed"),
    ),
    Line(
        "returned_within_90_days",
        TITLES["returned_within_90_days"],
        "Cases closed at least 90 days before the period's end whose person came back to the "
        "team within 90 days. Closures by agreement and when support was declined count; a "
        "death, a move away or a transfer is no test of whether the work held, so is left out.",
        Count("returned", "came back"),
        Count("eligible", "cases closed 90 days before the end"),
    ),
    Line(
        "actions",
        "Agreed actions by the person",
        "Agreed actions of cases active in the period done by the person and their network, "
        "rather than by the team.",
        Count("person", "by the person"),
        Count("all", "agreed actions"),
        (
            Count("team", "by the team"),
            Count("done", "done"),
            Count("dropped", "dropped"),
            Count("open", "still open"),
        ),
    ),
    Line(
        "split_across_teams",
        TITLES["split_across_teams"],
        "People with a demand in the period who had cases in two or more teams (of any "
        "cohort) open on the same day of the period: one person's story split into several "
        "cases. A case closing the day another team's opens, as in a transfer, is not a split.",
        Count("with_open_cases_in_2_or_more_teams", "split across teams"),
        Count("people", "people with a demand"),
    ),
)


def number(result: dict, line: Line, key: str) -> int:
    """A count of the figure, including the few the JSON leaves to arithmetic."""
    values = result[line.figure]
    derived = {
        ("referral_mismatch", "mismatch"): lambda: values["no"] + values["partly"],
        ("failure_demand", "classified"): lambda: values["failure"] + values["value"],
        ("handoffs", "with_handoffs"): lambda: values["closed"] - values["zero_handoffs"],
        ("same_worker", "other_worker"): lambda: (
            values["recontacts"] - values["same_worker"] - values["owner_left"]
        ),
        ("actions", "all"): lambda: values["person"] + values["team"],
    }
    if (line.figure, key) in derived:
        return derived[line.figure, key]()
    if key not in values and key in values.get("by_outcome", ()):
        return values["by_outcome"][key]
    return values[key]


def headline(result: dict, line: Line) -> str:
    """The figure in a few words, or 'no data' when its denominator is 0."""
    values = result[line.figure]
    if number(result, line, line.denominator.key) == 0:
        return "no data"
    if line.figure == "demands_per_person":
        return f"{values['ratio']:.1f} each"
    if line.figure == "end_to_end_days":
        median = format_value(values["median"], "days")
        return f"median {median} days, 90th percentile {format_value(values['p90'], 'days')}"
    if line.figure == "actions":
        return format_value(values["person"] / number(result, line, "all"), "rate")
    return format_value(values["rate"], "rate")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's advice: quote it)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if not isinstance(value, str):  # numbers stay numbers: -2 is not a formula
        return str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """CSV text, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_download(header: Iterable[str], rows: Iterable[Iterable], filename: str) -> Response:
    """Every CSV the app sends: to_csv's neutralised cells, as an attachment."""
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def figure_rows(results: dict[str, dict]) -> list[list]:
    """The figures table as CSV rows: figure, number, then one column per cohort."""
    rows = []
    for line in LINES:
        counts = [c for c in (line.numerator, line.denominator, *line.details) if c]
        for count in counts:
            rows.append(
                [line.title, count.words, *(number(results[c], line, count.key) for c in COHORTS)]
            )
        for key in ("rate", "ratio", "mean", "median", "p90"):
            if key in results["all"][line.figure]:
                rows.append([line.title, key, *(results[c][line.figure][key] for c in COHORTS)])
    return rows
