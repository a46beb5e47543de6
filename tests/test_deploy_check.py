"""`gongzhi check --deploy` passes with production settings (issue 3 §4)."""

import os
import secrets
import subprocess
import sys

from gongzhi.core.crypto import new_key


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "PYTEST"))}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), GONGZHI_HTTPS="1", ALLOWED_HOSTS="gongzhi.example.org")
    env.update(GONGZHI_DATA_KEYS=new_key(), GONGZHI_LOOKUP_KEYS=new_key())
    env.update(extra)
    env.pop("DATABASE_URL", None)
    return env


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongzhi", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = run_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_data_keys():
    env = production_env()
    del env["GONGZHI_DATA_KEYS"]
    result = run_check(env)
    assert result.returncode != 0
    assert "GONGZHI_DATA_KEYS and GONGZHI_LOOKUP_KEYS must be set in production" in result.stderr


def test_production_refuses_a_malformed_key():
    result = run_check(production_env(GONGZHI_LOOKUP_KEYS="not-a-key"))
    assert result.returncode != 0
    assert "GONGZHI_LOOKUP_KEYS: key 1 is not URL-safe base64 of 32 bytes" in result.stderr
