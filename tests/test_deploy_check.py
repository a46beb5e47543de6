"""`gongzhi check --deploy` passes with production settings (issue 3 §4)."""

import os
import secrets
import subprocess
import sys


def test_check_deploy_passes_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "PYTEST"))}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), GONGZHI_HTTPS="1", ALLOWED_HOSTS="gongzhi.example.org")
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "gongzhi", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
