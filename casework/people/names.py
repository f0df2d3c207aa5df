"""Finding people by any part of their name, through an index at any size.

"ann smi" finds Anne Smith: every word typed must appear somewhere in the
person's full name, in any case. Without an index that is a scan of every
person for every search; with 200,000 people it must not be. So the names
are indexed by trigrams (every three letters in a row), which answer exactly
this question:

- SQLite: an FTS5 table `people_search` with the trigram tokenizer, kept in
  step with `people` by triggers (migration 0005). Words of three letters or
  more are matched through it; shorter ones by LIKE over the same table.
- PostgreSQL: a pg_trgm GIN index on the lower-cased full name, which serves
  LIKE '%word%' on that same expression.

Both are schema the models cannot describe, so `include_object` keeps
Alembic's model comparison from reading them as stray tables.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, column, func, literal_column, select, table

from ..models import Person

SEARCH_TABLE = "people_search"
TRIGRAM_INDEX = "ix_people_full_name_trgm"
NOT_IN_MODELS = (SEARCH_TABLE, TRIGRAM_INDEX)

_search = table(SEARCH_TABLE, column("rowid"), column("full_name"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic: leave the name index (and FTS5's own tables behind it) out of comparisons."""
    return not (name or "").startswith(NOT_IN_MODELS)


def full_name() -> ColumnElement[str]:
    """lower(given_name || ' ' || family_name), written exactly as the trigram index is."""
    return func.lower(
        Person.given_name.op("||")(literal_column("' '")).op("||")(Person.family_name)
    )


def _like(expression, word: str):
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return expression.like(pattern, escape="\\")


def _phrase(word: str) -> str:
    """An FTS5 string: the word in double quotes, any quote in it doubled."""
    return '"' + word.replace('"', '""') + '"'


def name_matches(dialect: str, words: list[str]) -> ColumnElement[bool]:
    """SQL condition on Person: every word (lower case) is part of the person's full name."""
    if dialect != "sqlite":
        return and_(*(_like(full_name(), word) for word in words))
    long_words = [w for w in words if len(w) >= 3]
    short_words = [w for w in words if len(w) < 3]
    found = select(_search.c.rowid)
    if long_words:
        found = found.where(
            _search.c.full_name.op("MATCH")(" AND ".join(_phrase(w) for w in long_words))
        )
    for word in short_words:
        found = found.where(_like(_search.c.full_name, word))
    return Person.id.in_(found)
