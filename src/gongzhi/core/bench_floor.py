"""The floor of `appeal_submit_floor_ratio` (issue 4 §4): a bare Django view that inserts one row.

Mounted at /bench/floor only when GONGZHI_BENCH_FLOOR is set (the benchmark's gunicorn sets it; production never
does), so it runs under the same server, settings and middleware as the appeal submission it is compared with.
It writes to the table `bench_floor`, which the benchmark creates (`FLOOR_TABLE_SQL`); nothing else reads it.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

FLOOR_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, body text NOT NULL, "
    "created_at timestamptz NOT NULL)"
)


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_floor (body, created_at) VALUES (%s, %s) RETURNING id",
            [request.body.decode("utf-8", "replace")[:4000], timezone.now()],
        )
        (row_id,) = cur.fetchone()
    return JsonResponse({"id": row_id}, status=201)
