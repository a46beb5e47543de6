"""The REST API under /api/v1/: one NinjaAPI, session auth (with CSRF on unsafe methods), JSON errors."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from gongzhi.api.errors import install_error_handlers
from gongzhi.bodies.api import router as bodies_router
from gongzhi.people.api import router as people_router
from gongzhi.tree.api import router as tree_router

api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    description="Territorial tree, dwellings, people and bodies of residential communities (共治).",
)
install_error_handlers(api)
api.add_router("", tree_router, tags=["tree"])
api.add_router("", people_router, tags=["people"])
api.add_router("", bodies_router, tags=["bodies"])
