"""Every page renders for a superuser with its content; the tree counts are right."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def get(client, name, *args):
    return client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_login_page_renders_anonymous(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    assert "用户名" in response.content.decode()


@pytest.mark.parametrize("name", ["web:home", "web:tree"])
def test_pages_require_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_home_lists_roots_for_admin(admin_client_zh, site):
    content = get(admin_client_zh, "web:home").content.decode()
    assert "吴兴区" in content and "南浔区" in content


def test_tree_roots_with_counts(admin_client_zh, site):
    response = get(admin_client_zh, "web:tree")
    content = response.content.decode()
    assert response.status_code == 200
    assert "3 户" in content and "1 位居民" in content  # 吴兴区: three dwellings, one resident


def test_node_page_children_counts_and_chart_data(admin_client_zh, site):
    response = get(admin_client_zh, "web:node", site["district"].pk)
    rows = {
        (child.name, counts.dwellings, counts.residents) for child, _a, counts in response.context["children"]
    }
    assert rows == {("月河街道", 3, 1)}
    assert response.context["counts"].dwellings == 3


def test_chart_data_is_json_script_not_inline_code(admin_client_zh, site, actor):
    from gongzhi.tree import services as tree

    tree.node_create(actor=actor, parent=site["building"], name="2单元", level="stairwell")
    content = get(admin_client_zh, "web:node", site["building"].pk).content.decode()
    assert 'id="gz-chart-data" type="application/json"' in content
    data = json.loads(content.split('id="gz-chart-data" type="application/json">')[1].split("</script>")[0])
    assert {"name": "1单元", "dwellings": 3, "residents": 1} in data
    assert "web/charts.js" in content


def test_node_details_show_pack_source(admin_client_zh, site):
    response = get(admin_client_zh, "web:node", site["community"].pk)
    content = response.content.decode()
    assert response.context["pack"] == "huzhou"
    assert response.context["pack_source"] == site["district"]
    assert "330502001001" in content and "城市社区" in content


def test_community_page_shows_grids_and_ungridded(admin_client_zh, site):
    response = get(admin_client_zh, "web:node", site["community"].pk)
    content = response.content.decode()
    assert "第一网格" in content and response.context["ungridded_count"] == 2
    assert "月河社区居委会" in content


def test_stairwell_lists_dwellings_with_owners(admin_client_zh, site):
    response = get(admin_client_zh, "web:node", site["stairwell"].pk)
    content = response.content.decode()
    first = response.context["dwellings"][0]
    assert first.number == "101" and first.occupants == 1
    assert [o.person.name for o in first.current_ownerships] == ["张三"]
    assert "89.47" in content and "住宅" in content


def test_dwelling_page(admin_client_zh, site):
    content = get(admin_client_zh, "web:dwelling", site["dwellings"][0].pk).content.decode()
    assert "89.47 m²" in content and "不动产登记" in content
    assert "张三" in content and "李四" in content  # current owner and one in the history
    assert "户代表" in content and "第一网格" in content


def test_person_page_masks_id_and_phone(admin_client_zh, site):
    content = get(admin_client_zh, "web:person", site["person"].pk).content.decode()
    assert "110105********002X" in content and "138****5678" in content
    assert "11010519491231002X" not in content and "13812345678" not in content
    assert "月河社区居委会" in content and "101" in content


def test_body_page_lists_members_and_findings(admin_client_zh, site):
    response = get(admin_client_zh, "web:body", site["committee"].pk)
    assert [(m.person.name, m.position) for m in response.context["members"]] == [("张三", "chair")]
    assert 'id="members"' in response.content.decode() and 'id="findings"' in response.content.decode()


def test_compliance_page_renders(admin_client_zh, site):
    response = get(admin_client_zh, "web:compliance", site["community"].pk)
    assert response.status_code == 200
    assert [b for b, _f in response.context["rows"]] == [site["committee"]]


def test_compliance_only_for_communities(admin_client_zh, site):
    assert get(admin_client_zh, "web:compliance", site["street"].pk).status_code == 404


def test_missing_objects_are_404(admin_client_zh, site):
    for name in ["web:node", "web:dwelling", "web:person", "web:body", "web:compliance"]:
        assert get(admin_client_zh, name, 999999).status_code == 404


def test_policy_fragment_via_htmx_cites_clauses(admin_client_zh, site):
    url = reverse("web:node_policy", args=[site["community"].pk])
    fragment = admin_client_zh.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    rows = fragment.context["rows"]
    assert rows and all(row["entry"].clause_text for row in rows)
    page = admin_client_zh.get(url)
    assert "<html" in page.content.decode() and 'id="policy-entries"' in page.content.decode()


def test_compliance_findings_coloured_and_cite_clauses(admin_client_zh, site, actor):
    import datetime as dt

    from gongzhi.bodies import services as bodies

    oc = bodies.body_create(
        actor=actor,
        kind="owners_committee",
        node=site["compound"],
        name="锦绣小区业委会",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2029, 1, 1),
    )
    bodies.member_add(actor=actor, body=oc, person=site["person"], term_start=dt.date(2024, 1, 1))
    response = get(admin_client_zh, "web:compliance", site["community"].pk)
    content = response.content.decode()
    findings = dict(response.context["rows"])[oc]
    assert oc in [b for b, _f in response.context["flagged"]]
    assert findings, "a one-member owners' committee breaks the size rule"
    for f in findings:
        assert f.clause in content
        assert f"alert-{'danger' if f.severity == 'error' else 'warning'}" in content


def test_home_lists_roles_with_links_to_scope(worker_client, site):
    content = worker_client.get(reverse("web:home")).content.decode()
    assert "社区工作者" in content and reverse("web:node", args=[site["community"].pk]) in content


def test_tree_page_counts_children_in_a_fixed_number_of_queries(
    client, actor, small_tree, django_assert_max_num_queries
):
    """Subtree counts for all children come from two grouped queries, not two per child."""
    from gongzhi.tree import services as tree

    for i in range(6):
        tree.node_create(actor=actor, parent=small_tree["community"], name=f"小区{i}", level="compound")
    client.force_login(actor)
    with django_assert_max_num_queries(16):  # 15, and the navigation's unread-notices badge
        assert client.get(f"/tree/{small_tree['community'].pk}/").status_code == 200
