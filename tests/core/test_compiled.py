"""Querysets compiled once (gongzhi.core.compiled) give what the ORM gives, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.accounts import tokens
from gongzhi.accounts.models import Account, ApiToken
from gongzhi.appeals.models import AppealIntake
from gongzhi.core.compiled import CompiledInsert, CompiledQuery
from gongzhi.people import services as people
from gongzhi.people.models import Person

pytestmark = pytest.mark.django_db

TOKEN_WITH_PERSON: CompiledQuery[ApiToken] = CompiledQuery(
    lambda token_hash: ApiToken.objects.select_related("user__account__person").filter(
        token_hash=token_hash, revoked_at__isnull=True
    ),
    token_hash=str,
)


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_objects_and_their_related_objects_equal_the_orms(actor):
    person = people.person_create(
        actor=actor, name="李四", id_number="11010519491231002X", phone="13812345678"
    )
    Account.objects.create(user=actor, person=person)
    token, plaintext = tokens.api_token_create(actor=actor, name="脚本")
    digest = tokens.token_digest(plaintext)
    orm = ApiToken.objects.select_related("user__account__person").get(token_hash=digest)

    found = TOKEN_WITH_PERSON.run(token_hash=digest)

    assert [t.pk for t in found] == [token.pk]
    compiled = found[0]
    with CaptureQueriesContext(connection) as queries:  # everything came with the one query
        pairs = [
            (compiled, orm),
            (compiled.user, orm.user),
            (compiled.user.account, orm.user.account),
            (compiled.user.account.person, orm.user.account.person),
        ]
        for got, expected in pairs:
            assert type(got) is type(expected)
            assert _fields(got) == _fields(expected)
            assert got._state.db == expected._state.db and got._state.adding is False
    assert len(queries) == 0
    assert compiled.user.account.person.phone == "13812345678"  # decrypted by the field's converter
    assert isinstance(compiled.created_at, dt.datetime) and timezone.is_aware(compiled.created_at)


def test_a_user_without_an_account_comes_without_one(actor):
    _token, plaintext = tokens.api_token_create(actor=actor, name="脚本")
    compiled = TOKEN_WITH_PERSON.first(token_hash=tokens.token_digest(plaintext))
    assert compiled is not None and compiled.user == actor
    assert not hasattr(compiled.user, "account")


def test_each_call_uses_its_own_value_and_no_row_gives_none(actor):
    _a, first = tokens.api_token_create(actor=actor, name="一")
    second_token, second = tokens.api_token_create(actor=actor, name="二")
    assert TOKEN_WITH_PERSON.first(token_hash=tokens.token_digest(second)).pk == second_token.pk
    assert TOKEN_WITH_PERSON.first(token_hash=tokens.token_digest(first)).name == "一"
    assert TOKEN_WITH_PERSON.first(token_hash="no such hash") is None
    tokens.api_token_revoke(actor=actor, token_id=second_token.pk)  # the other filters still apply
    assert TOKEN_WITH_PERSON.first(token_hash=tokens.token_digest(second)) is None


def test_int_parameters_and_bad_uses_are_refused_loudly(actor):
    by_pk: CompiledQuery[Person] = CompiledQuery(lambda pk: Person.objects.filter(pk=pk), pk=int)
    person = people.person_create(actor=actor, name="王五")
    assert by_pk.first(pk=person.pk) == person
    with pytest.raises(ValueError, match="None"):
        by_pk.run(pk=None)
    ignored: CompiledQuery[Person] = CompiledQuery(lambda pk: Person.objects.all(), pk=int)
    with pytest.raises(ValueError, match="appears 0 times"):
        ignored.run(pk=1)
    twice: CompiledQuery[Person] = CompiledQuery(
        lambda name: Person.objects.filter(name=name) | Person.objects.filter(gender=name), name=str
    )
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.run(name="x")
    with pytest.raises(TypeError):
        CompiledQuery(lambda at: Person.objects.filter(birth_date=at), at=dt.date).run(at=dt.date.today())


def test_insert_writes_what_create_writes(actor):
    values = {
        "received_at": timezone.now(),
        "recorded_by": actor,
        "category": "safety",
        "description": "楼道灯不亮",
        "source_ip": "10.0.0.7",
        "language": "zh-hans",
    }
    created = AppealIntake.objects.create(**values)
    inserted = CompiledInsert(AppealIntake).save(AppealIntake(**values))

    assert inserted.pk is not None and inserted.pk != created.pk
    assert inserted._state.adding is False
    stored = AppealIntake.objects.get(pk=inserted.pk)
    assert {**model_to_dict(stored), "id": None} == {**model_to_dict(created), "id": None}
    assert stored.state == AppealIntake.State.WAITING  # the defaults were written


@pytest.mark.parametrize("model", ["intake", "person"])
def test_prepared_values_equal_what_each_field_prepares(actor, model):
    """CompiledInsert.prepared passes some values through as they are (core.compiled._plain_test): they must be
    exactly what Django's fields would prepare, on this database, for values of every kind and None."""
    import warnings

    naive = dt.datetime(2026, 3, 1, 9, 30)
    if model == "intake":
        samples = [
            AppealIntake(received_at=timezone.now(), recorded_by=actor, category="safety", description="楼道",
                         source_ip="10.0.0.7", dwelling_id=None, anonymous=True, routed_at=None),
            AppealIntake(received_at=naive, recorded_by_id=actor.pk, category="", description="x" * 10,
                         source_ip="::ffff:10.0.0.8", on_behalf_of="张三", severity="major", merged=False),
        ]  # fmt: skip
        insert = CompiledInsert(AppealIntake)
    else:
        samples = [
            Person(name="赵六", id_number="11010519491231002X", phone="13800000000"),
            Person(name="钱七"),
        ]
        insert = CompiledInsert(Person)
    for obj in samples:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the naive date-time, made aware by Django
            # pre_save once per field: a sealed field's nonce is fresh on every call.
            given = [f.pre_save(obj, True) for f in insert._fields]
            slow = [f.get_db_prep_save(v, connection) for f, v in zip(insert._fields, given, strict=True)]
            plain = [test(v) for test, v in zip(insert._plain(connection), given, strict=True)]
            first = insert.prepared(obj, connection)[0]
        passed = [v for v, p in zip(given, plain, strict=True) if p]
        assert [(type(v), str(v)) for v in passed] == [
            (type(v), str(v)) for v, p in zip(slow, plain, strict=True) if p
        ]
        assert len(passed) >= 3  # the stock fields do pass through
        assert first == slow[0]


def test_insert_runs_pre_save_of_sealed_and_auto_fields(actor):
    person = CompiledInsert(Person).save(
        Person(name="赵六", id_number="11010519491231002X", phone="13800000000")
    )
    assert person.created_at is not None  # auto_now_add
    stored = Person.objects.get(id_number="11010519491231002X")  # found through the keyed hash
    assert stored.pk == person.pk and stored.phone == "13800000000"
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM people_person WHERE id = %s", [person.pk])
        assert "13800000000" not in str(cur.fetchone()[0])  # sealed at rest


def test_deferred_fields_of_related_objects_load_when_read(actor):
    person = people.person_create(
        actor=actor, name="李四", id_number="11010519491231002X", phone="13812345678"
    )
    Account.objects.create(user=actor, person=person)
    _token, plaintext = tokens.api_token_create(actor=actor, name="脚本")
    user = tokens.api_token_user(plaintext)  # the person comes with its id and name only
    found = user.account.person
    assert found.pk == person.pk and found.name == "李四"
    assert {"id_number", "id_number_hash", "phone", "phone_hash", "birth_date"} <= found.get_deferred_fields()
    assert not {"id", "name"} & found.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert found.phone == "13812345678"  # read on demand, decrypted
    assert len(queries) == 1


def test_a_tokens_user_loads_its_session_fields_when_read(actor):
    actor.email = "zhang@example.org"
    actor.save(update_fields=["email"])
    _token, plaintext = tokens.api_token_create(actor=actor, name="脚本")
    user = tokens.api_token_user(plaintext)
    assert {"password", "last_login", "email", "date_joined"} <= user.get_deferred_fields()
    assert (user.pk, user.username, user.is_active) == (actor.pk, actor.username, True)
    with CaptureQueriesContext(connection) as queries:
        assert user.email == "zhang@example.org"
    assert len(queries) == 1
