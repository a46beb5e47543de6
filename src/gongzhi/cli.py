"""The `gongzhi` console script: Django's management commands plus Gongzhi's own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["tally"]:
        # The offline recount (issue 5 §3) runs without settings or a database and must start fast: it never
        # imports Django. The `tally` management command only lists it in `gongzhi help`.
        from gongzhi.voting.recount import main as tally

        sys.exit(tally(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *args])


if __name__ == "__main__":
    main()
