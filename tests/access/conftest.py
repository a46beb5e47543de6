"""The permission-matrix world, built once per test and shared by the API and web sweeps."""

from __future__ import annotations

import pytest

from .sweep import snapshot
from .world import World, build_world


@pytest.fixture
def world(actor, django_user_model, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"  # scans uploaded by the vote rows
    return build_world(actor, django_user_model)


@pytest.fixture
def tokens(world):
    from gongzhi.accounts.tokens import api_token_create

    world.tokens = {
        role: api_token_create(actor=user, name="世界")[0].pk for role, user in world.users.items()
    }
    world.baseline = snapshot()
    return world
