import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo log-ins are checked here; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
