"""The owners' representative (业主代表, glossary §2.4) as a role: HZ-5.1.3.2.1.3 lets at least 20% of a compound's
owners' representatives propose a compound deliberation with their signatures (§5 #6: counted against the
representatives registered for the compound)."""

from __future__ import annotations

import pytest

from gongzhi.access.capabilities import Action, Kind, allows
from gongzhi.accounts import services as accounts
from gongzhi.accounts.roles import ROLE_SCOPE, Role, ScopeKind
from gongzhi.core.errors import InvalidInput
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Step

from .conftest import START

pytestmark = pytest.mark.django_db


def test_the_role_is_held_at_a_compound_and_acts_on_topics_but_sees_no_households():
    assert ROLE_SCOPE[Role.OWNERS_REPRESENTATIVE] == (ScopeKind.NODE, frozenset({"compound"}))
    role = Role.OWNERS_REPRESENTATIVE.value
    assert allows(role, Kind.TOPIC, Action.CHANGE) and allows(role, Kind.VOTE, Action.VIEW)
    assert not any(allows(role, k, Action.VIEW) for k in (Kind.DWELLING, Kind.PERSON, Kind.RESIDENCY))
    assert not allows(role, Kind.VOTE, Action.CHANGE)


def representatives(actor, delib, n):
    users = []
    for i in range(n):
        user = accounts.user_create(actor=actor, username=f"d-rep{i}", password="pw-delib-2026")
        accounts.role_assign(
            actor=actor, user=user, role="owners_representative", node=delib["compound"], start=START
        )
        users.append(user)
    return users


def propose(rep, topic, signatures, base=None):
    record = {"document": "联名提议", "proposer": "owners_representative", "signatures": signatures}
    if base is not None:
        record["representatives"] = base
    return services.topic_advance(
        actor=rep,
        topic=topic,
        target="proposed",
        capacities=selectors.capacities_for(rep, topic),
        record=record,
    )


@pytest.fixture
def compound_topic(delib):
    return services.topic_create(
        actor=delib["users"]["oc"],
        node=delib["compound"],
        title="增设非机动车棚",
        source="owners_group",
        procedure="compound",
    )


def test_a_representative_proposes_with_20_percent_of_the_registered_representatives(
    actor, delib, compound_topic
):
    """HZ-5.1.3.2.1.3 20%以上业主代表提议: 2 of 10 registered is exactly 20% (以上 includes it); the base typed on
    the form is replaced by the registered count."""
    reps = representatives(actor, delib, 10)
    assert "owners_representative" in selectors.capacities_for(reps[0], compound_topic)
    with pytest.raises(InvalidInput) as exc:
        propose(reps[0], compound_topic, 1, base=5)  # 1 of 5 would be 20%, but 10 are registered
    assert exc.value.code == "proposal_threshold"
    step = propose(reps[0], compound_topic, 2, base=5)
    assert (step.record["representatives"], step.capacities) == (10, ["owners_representative"])


def test_more_signatures_than_representatives_is_refused(actor, delib, compound_topic):
    reps = representatives(actor, delib, 3)
    with pytest.raises(InvalidInput) as exc:
        propose(reps[0], compound_topic, 4)
    assert exc.value.code == "signatures_exceed_base" and not Step.objects.exists()


def test_without_registered_representatives_the_form_gives_the_base(delib, compound_topic):
    """§5 #6: a compound without owners' representatives counts 20% of its owners, as the form states them."""
    oc = delib["users"]["oc"]
    step = services.topic_advance(
        actor=oc,
        topic=compound_topic,
        target="proposed",
        capacities=selectors.capacities_for(oc, compound_topic),
        record={"document": "d", "proposer": "owners_representative", "signatures": 1, "representatives": 5},
    )
    assert step.record["representatives"] == 5


def test_a_representatives_scope_is_their_compound(actor, delib):
    (rep,) = representatives(actor, delib, 1)
    stairwell_topic = services.topic_create(
        actor=delib["users"]["bl"],
        node=delib["stairwell"],
        title="楼道灯",
        source="mailbox",
        procedure="building",
    )
    assert selectors.topic_get_for(rep, stairwell_topic.pk) == stairwell_topic
    assert selectors.capacities_for(rep, stairwell_topic) == frozenset({"owners_representative"})
    assert selectors.moves_for(rep, stairwell_topic) == []
