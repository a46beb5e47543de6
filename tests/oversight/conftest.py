from __future__ import annotations

import pytest

from .world import make_world


@pytest.fixture
def bz(actor):
    return make_world(actor)
