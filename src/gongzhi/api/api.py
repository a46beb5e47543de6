"""The REST API under /api/v1/: one NinjaAPI, session auth (with CSRF on unsafe methods), JSON errors."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Router

from gongzhi.accounts.api import router as accounts_router
from gongzhi.api.auth import API_AUTH
from gongzhi.api.errors import install_error_handlers
from gongzhi.appeals.api import router as appeals_router
from gongzhi.bodies.api import router as bodies_router
from gongzhi.deliberation.api import router as deliberation_router
from gongzhi.directives.api import router as directives_router
from gongzhi.exports.api import router as exports_router
from gongzhi.followup.api import router as followup_router
from gongzhi.notices.api import router as notices_router
from gongzhi.oversight.api import router as oversight_router
from gongzhi.people.api import router as people_router
from gongzhi.tree.api import router as tree_router
from gongzhi.voting.api import router as voting_router

DESCRIPTION = """Territorial tree, dwellings, people and bodies of residential communities (共治).

* **Authentication**: a personal token (`Authorization: Bearer gz_…`, created on the web site's "API tokens"
  page or with `POST /api/v1/tokens`), or the Django session (log in on the web site first, with your second
  factor where your account has or needs one, else `403 second_factor_required`; unsafe methods then need the
  CSRF token in the `X-CSRFToken` header). A token acts as its user, within that user's roles; creating one
  needs such a verified session.
* **Errors** are always `{"code": "<stable code>", "message": "<text>", "details": [{"field", "code",
  "message"}]}`; messages follow `Accept-Language` (Simplified Chinese by default, `en` for English).
* **Lists** take `limit` (1-200, default 50) and `offset` and answer `{"count", "limit", "offset", "items"}`.
* **Areas** are decimal strings (`"89.47"`), never floats. ID and phone numbers are returned masked.
* Objects outside your scope answer 404, exactly like missing ones.
"""

api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    description=DESCRIPTION,
)
install_error_handlers(api)
# Appeals first: residents post them in volume, and Django tries the URL patterns in order (their paths overlap
# no other router's).
api.add_router("", appeals_router, tags=["appeals"])
api.add_router("", accounts_router, tags=["accounts"])
api.add_router("", tree_router, tags=["tree"])
api.add_router("", people_router, tags=["people"])
api.add_router("", bodies_router, tags=["bodies"])
api.add_router("", exports_router, tags=["exports"])
api.add_router("", voting_router, tags=["votes"])
api.add_router("", directives_router, tags=["directives"])
# Before deliberation's: /topics/success-rate must not be taken for /topics/{topic_id}.
api.add_router("", followup_router, tags=["deliberation"])
api.add_router("", deliberation_router, tags=["deliberation"])
api.add_router("", oversight_router, tags=["oversight"])
api.add_router("", notices_router, tags=["notices"])

# Last, so it only catches paths no other route matched: unknown URLs get the JSON 404 too.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, auth=None
)
def unknown_endpoint(request: HttpRequest, rest: str) -> None:
    raise Http404


api.add_router("", fallback)
