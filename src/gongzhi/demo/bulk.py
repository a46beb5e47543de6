"""The bulk path: planned rows written straight to the tables, bypassing the services (large scales).

PostgreSQL: psycopg 3 COPY from a writer thread, so generating the next chunk in Python overlaps with the
server loading the previous one; the big tables' secondary indexes and foreign keys are dropped for the load
and recreated from their own definitions afterwards (as pg_restore does), all in one transaction.
SQLite: bulk_create in batches. Ids come from the plan, so sequences are reset at the end.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.core.fields import EncryptedTextField, keyring, seal_rows
from gongzhi.demo.bodies import BODY_COLS, MEMBER_COLS
from gongzhi.demo.plan import TreePlan
from gongzhi.demo.population import (
    DWELLING_COLS,
    OWNERSHIP_COLS,
    PERSON_COLS,
    RESIDENCY_COLS,
    TAG_COLS,
    Chunk,
)
from gongzhi.people.models import Ownership, Person, PersonTag, Residency
from gongzhi.tree.models import Dwelling, Grid, Node

NODE_COLS = ("id", "path", "depth", "numchild", "name", "level", "code", "community_kind", "policy_pack")
GRID_COLS = ("id", "community_id", "parent_id", "kind", "name", "code")
BIG_TABLES: tuple[type[models.Model], ...] = (Dwelling, Person, PersonTag, Ownership, Residency)
ALL_MODELS: tuple[type[models.Model], ...] = (Node, Grid, *BIG_TABLES, Body, BodyMembership)
SQLITE_BATCH = 2000
log = logging.getLogger(__name__)


def tree_rows(plan: TreePlan) -> tuple[list[tuple], list[tuple]]:
    nodes = [
        (n.key, n.path, n.depth, len(n.children), n.name, n.level, n.code, n.community_kind, n.policy_pack)
        for n in plan.nodes
    ]
    grids = [
        (
            g.key,
            g.community.key,
            g.parent.key if g.parent else None,
            "micro_grid" if g.parent else "grid",
            g.name,
            g.code,
        )
        for g in plan.grids
    ]
    return nodes, grids


def chunk_parts(chunk: Chunk) -> list[tuple[type[models.Model], Sequence[str], list[tuple]]]:
    return [
        (Dwelling, DWELLING_COLS, chunk.dwellings),
        (Person, PERSON_COLS, chunk.people),
        (PersonTag, TAG_COLS, chunk.tags),
        (Ownership, OWNERSHIP_COLS, chunk.ownerships),
        (Residency, RESIDENCY_COLS, chunk.residencies),
        (Body, BODY_COLS, chunk.bodies),
        (BodyMembership, MEMBER_COLS, chunk.members),
    ]


class SqliteSink:
    """bulk_create in batches (any database; used where COPY is not available)."""

    def put(self, model: type[models.Model], cols: Sequence[str], rows: list[tuple]) -> None:
        for start in range(0, len(rows), SQLITE_BATCH):
            objs = [model(**dict(zip(cols, row, strict=True))) for row in rows[start : start + SQLITE_BATCH]]
            model._default_manager.bulk_create(objs)

    def close(self) -> None:
        """Nothing to do: SQLite's AUTOINCREMENT follows explicitly inserted ids."""


class PostgresSink:
    """COPY … FROM STDIN on the Django connection's psycopg connection, fed through a small queue.

    Turning rows into COPY text (and sealing ID numbers and phones) runs in a process forked per chunk, so it
    uses another core while this process generates the next chunk; a thread hands the texts to COPY in the
    order the chunks were put.
    When the load is the whole transaction and nothing refers to the big tables, they are truncated first so
    COPY can FREEZE: rows are written all-visible, and index-only scans work without a VACUUM. A superuser
    skips the foreign-key triggers during the load (as pg_restore --disable-triggers does: the rows are
    consistent by construction); anyone else drops and re-adds the foreign keys, which validates them.
    """

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw: Any = connection.connection
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.waited = self.copying = 0.0  # seconds the generator waited for COPY, and COPY ran
        outermost = len(connection.atomic_blocks) == 1 and not connection.savepoint_ids
        self.frozen = _truncate_for_freeze(BIG_TABLES) if outermost else set()
        self.superuser = is_superuser()
        if self.superuser:
            with connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = replica")
        self.restore = _drop_secondary(BIG_TABLES, foreign_keys=not self.superuser)
        self.thread = threading.Thread(target=self._run, name="demo-copy", daemon=True)
        self.thread.start()

    def put(self, model: type[models.Model], cols: Sequence[str], rows: list[tuple]) -> None:
        self.put_many([(model, cols, rows)])

    def put_many(self, parts: list[tuple[type[models.Model], Sequence[str], list[tuple]]]) -> None:
        """Queue rows of several tables (one chunk): formatted in one forked process, copied in order."""
        if self.error:
            raise self.error
        parts = [part for part in parts if part[2]]
        if parts:
            job = _ForkedFormat(parts) if hasattr(os, "fork") else _Done(format_parts(parts))
            started = time.monotonic()
            self.queue.put(job)  # blocks while two chunks are already waiting: bounds memory and processes
            self.waited += time.monotonic() - started

    def _run(self) -> None:
        while (job := self.queue.get()) is not None:
            try:
                formatted = job.get()  # always collected, so no forked process is left behind
                if self.error:
                    continue
                started = time.monotonic()
                for table, cols, text in formatted:
                    columns = ", ".join(f'"{c}"' for c in cols)
                    freeze = " WITH (FREEZE)" if table in self.frozen else ""
                    with (
                        self.raw.cursor() as cur,
                        cur.copy(f'COPY "{table}" ({columns}) FROM STDIN{freeze}') as copy,
                    ):
                        copy.write(text)
                self.copying += time.monotonic() - started
            except BaseException as exc:  # surfaced in the main thread by put()/close()
                self.error = exc

    def close(self) -> None:
        started = time.monotonic()
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error
        log.info(
            "demo: COPY drained in %.1f s (COPY ran %.1f s; the generator waited %.1f s for it)",
            time.monotonic() - started,
            self.copying,
            self.waited,
        )
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = DEFAULT")
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for sql in self.restore:
                started = time.monotonic()
                cur.execute(sql)
                log.info("demo: %.1f s %s", time.monotonic() - started, sql[:90])
            for sql in connection.ops.sequence_reset_sql(no_style(), list(ALL_MODELS)):
                cur.execute(sql)


def is_superuser() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cur.fetchone()[0])


class _Done:
    """An already computed result with AsyncResult's get() (no worker processes)."""

    def __init__(self, value: Any):
        self.value = value

    def get(self) -> Any:
        return self.value


class _ForkedFormat:
    """format_parts in a forked child, which sees the rows without pickling them and hands back COPY text
    through a pipe. Generation (this process) and formatting with sealing (the child) then use two cores.

    The texts cross the pipe as raw bytes after a small pickled header (table, columns, length), and are read
    into one buffer handed to COPY as views: no pickling copies of a chunk's tens of megabytes on either side.
    The child only computes and writes to its pipe, then leaves with os._exit: it never touches the database
    connection, locks or logging it inherited.
    """

    def __init__(self, parts: list[tuple[type[models.Model], Sequence[str], list[tuple]]]):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child (its result is checked by the parent)
            code = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:
                    _send(out, format_parts(parts))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.read = read

    def get(self) -> list[tuple[str, Sequence[str], memoryview]]:
        try:
            with os.fdopen(self.read, "rb", buffering=0) as pipe:
                formatted = _receive(pipe)
        finally:
            _, status = os.waitpid(self.pid, 0)
        if status != 0:
            raise RuntimeError(f"demo: the process formatting COPY text failed (wait status {status})")
        return formatted


def _send(out: Any, formatted: list[tuple[str, Sequence[str], bytes]]) -> None:
    header = pickle.dumps([(table, cols, len(text)) for table, cols, text in formatted])
    out.write(len(header).to_bytes(8, "big"))
    out.write(header)
    for _, _, text in formatted:
        out.write(text)


def _receive(pipe: Any) -> list[tuple[str, Sequence[str], memoryview]]:
    size = int.from_bytes(_read_exactly(pipe, 8), "big")
    header: list[tuple[str, Sequence[str], int]] = pickle.loads(_read_exactly(pipe, size))
    body = memoryview(_read_exactly(pipe, sum(length for _, _, length in header)))
    out, start = [], 0
    for table, cols, length in header:
        out.append((table, cols, body[start : start + length]))
        start += length
    return out


def _read_exactly(pipe: Any, size: int) -> bytearray:
    buffer = bytearray(size)
    view, done = memoryview(buffer), 0
    while done < size:
        got = pipe.readinto(view[done:])
        if not got:
            raise RuntimeError("demo: the process formatting COPY text ended early")
        done += got
    return buffer


def format_parts(
    parts: list[tuple[type[models.Model], Sequence[str], list[tuple]]],
) -> list[tuple[str, Sequence[str], bytes]]:
    return [(model._meta.db_table, *format_rows(model, cols, rows)) for model, cols, rows in parts]


def format_rows(
    model: type[models.Model], cols: Sequence[str], rows: list[tuple]
) -> tuple[Sequence[str], bytes]:
    """Rows as COPY text (bytes), encrypted fields sealed and lookup hashes added. Runs in a worker process."""
    if model is Person and tuple(cols) == PERSON_COLS:
        fast = person_copy_text(rows)
        if fast is not None:
            return PERSON_COPY_COLS, fast.encode()
    cols, rows = seal_rows(model, cols, rows)
    text = copy_text(rows, len(cols))
    return cols, (text if text is not None else escaped_copy_text(rows)).encode()


PERSON_COPY_COLS = (*PERSON_COLS, "id_number_hash", "phone_hash")


def person_copy_text(rows: list[tuple]) -> str | None:
    """People rows as COPY text with ID number and phone sealed and hashed (the hottest table: the generic
    seal_rows + copy_text cost about twice as much). None when a value would need escaping.

    Each column is sealed and hashed as a batch (Keyring.seal_many), and each distinct date and the creation
    time are formatted once.
    """
    ring = keyring()
    id_purpose, phone_purpose = (_encrypted(Person, name).purpose for name in ("id_number", "phone"))
    numbers, phones = [row[3] for row in rows], [row[5] for row in rows]
    sealed = (
        ring.seal_many(numbers, id_purpose),
        ring.seal_many(phones, phone_purpose),
        ring.lookup_many(numbers, id_purpose),
        ring.lookup_many(phones, phone_purpose),
    )
    strings: dict[Any, str] = {None: r"\N"}
    lines = []
    for row, number, phone, id_hash, phone_hash in zip(rows, *sealed, strict=True):
        pid, name, gender, _, birth, _, party, registered, created = row
        day = strings.get(birth) or strings.setdefault(birth, str(birth))
        at = strings.get(created) or strings.setdefault(created, str(created))
        lines.append(
            f"{pid}\t{name}\t{gender}\t{number}\t{day}\t{phone}\t{party}\t{registered}\t{at}\t{id_hash}\t{phone_hash}\n"
        )
    text = "".join(lines)
    nulls = sum((row[4] is None) + (row[8] is None) for row in rows)
    if text.count("\\") != nulls or "\r" in text or text.count("\t") != len(rows) * 10:
        return None
    return text if text.count("\n") == len(rows) else None


def _encrypted(model: type[models.Model], name: str) -> EncryptedTextField:
    field = model._meta.get_field(name)
    assert isinstance(field, EncryptedTextField)
    return field


def escaped_copy_text(rows: list[tuple]) -> str:
    """COPY text for values that hold backslashes, tabs or line breaks (slow path, rarely taken)."""

    def field(value: Any) -> str:
        if value is None:
            return r"\N"
        text = str(value)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    return "".join("\t".join(map(field, row)) + "\n" for row in rows)


def copy_text(rows: list[tuple], width: int) -> str | None:
    """Rows in COPY's text format, or None when a value would need escaping (then write_row is used).

    About six times cheaper than write_row per row, which matters because generation and COPY share one
    Python process. str() gives what COPY reads: ISO dates and times, True/False, plain numbers.
    """
    text = (
        "\n".join(
            "\t".join([r"\N" if v is None else str(v) for v in row])
            if None in row
            else "\t".join(map(str, row))
            for row in rows
        )
        + "\n"
    )
    nulls = sum(row.count(None) for row in rows)  # each written as the two characters \N
    if text.count("\\") != nulls or "\r" in text or text.count("\t") != len(rows) * (width - 1):
        return None
    if text.count("\n") != len(rows):
        return None
    return text


def _truncate_for_freeze(tables: Iterable[type[models.Model]]) -> set[str]:
    """TRUNCATE the tables when they and every table referring to them (transitively) are empty."""
    names = {m._meta.db_table for m in tables}
    with connection.cursor() as cur:
        todo = list(names)
        while todo:
            cur.execute(
                "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
                [todo.pop()],
            )
            for (table,) in cur.fetchall():
                table = table.strip('"')
                if table not in names:
                    names.add(table)
                    todo.append(table)
        for table in sorted(names):
            cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
            if cur.fetchone()[0]:
                return set()
        cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in sorted(names)))
    return {m._meta.db_table for m in tables}


def _drop_secondary(tables: Iterable[type[models.Model]], *, foreign_keys: bool) -> list[str]:
    """Drop the tables' unique (and foreign-key) constraints and secondary indexes; return SQL to recreate them."""
    restore_indexes: list[str] = []
    restore_constraints: list[str] = []
    with connection.cursor() as cur:
        for model in tables:
            table = model._meta.db_table
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY conname",
                [table, ["u", "f"] if foreign_keys else ["u"]],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                restore_constraints.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cur.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
                [table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                restore_indexes.append(definition)
    return restore_indexes + restore_constraints


def make_sink() -> SqliteSink | PostgresSink:
    return PostgresSink() if connection.vendor == "postgresql" else SqliteSink()


def vacuum_analyze(*, frozen: bool) -> None:
    """Fresh statistics, and visibility maps for index-only scans (COPY FREEZE has set them already)."""
    started = time.monotonic()
    with connection.cursor() as cur:
        # VACUUM cannot run inside a transaction (nor on SQLite, which needs only ANALYZE).
        if connection.vendor == "postgresql" and not frozen and not connection.in_atomic_block:
            for model in BIG_TABLES:
                cur.execute(f'VACUUM "{model._meta.db_table}"')
        cur.execute("ANALYZE")
    log.info("demo: (VACUUM) ANALYZE in %.1f s", time.monotonic() - started)


class BulkWriter:
    """Same interface as via_services.ServiceWriter; plan keys are the primary keys."""

    def __init__(self) -> None:
        self.sink = make_sink()
        self.frozen = bool(getattr(self.sink, "frozen", False))

    def tree(self, plan: TreePlan) -> None:
        nodes, grids = tree_rows(plan)
        self.sink.put(Node, NODE_COLS, nodes)
        self.sink.put(Grid, GRID_COLS, grids)

    def chunk(self, chunk: Chunk) -> None:
        if isinstance(self.sink, PostgresSink):
            self.sink.put_many(chunk_parts(chunk))
        else:
            for model, cols, rows in chunk_parts(chunk):
                self.sink.put(model, cols, rows)

    def finish(self) -> None:
        self.sink.close()

    def node(self, key: int) -> Node:
        return Node.objects.get(pk=key)

    def grid(self, key: int) -> Grid:
        return Grid.objects.get(pk=key)

    def dwelling(self, key: int) -> Dwelling:
        return Dwelling.objects.get(pk=key)

    def person(self, key: int) -> Person:
        return Person.objects.get(pk=key)
