"""On PostgreSQL, parameters are bound on the server and repeated statements prepared (settings: a planned
statement is reused instead of planned again on each API call; planning cost more than running the hot
queries, see core.compiled)."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.people.models import Person

pytestmark = pytest.mark.django_db


def test_repeated_statements_are_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server-side prepared statements (SQLite run)")
    connection.ensure_connection()
    assert connection.connection.prepare_threshold is not None
    for pk in range(1, 8):  # psycopg prepares a statement on its prepare_threshold-th run (5)
        list(Person.objects.filter(pk=pk))
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cur.fetchall()]
    assert any('FROM "people_person" WHERE "people_person"."id" = $1' in s for s in prepared), prepared


def test_text_values_with_quotes_and_percent_signs_travel_as_data():
    # Server-side binding sends values apart from the SQL: nothing in them is parsed as SQL or as a placeholder.
    Person.objects.create(name="O'Brien %s 100% $1")
    assert Person.objects.get(name="O'Brien %s 100% $1").name == "O'Brien %s 100% $1"
