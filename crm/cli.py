"""The ``crm`` command: set-up and operations (``crm serve``, ``crm migrate``, ``crm demo``,
``crm createuser``, ``crm worker``, ``crm bench``); any other Django management command works too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["crm", *args])


if __name__ == "__main__":
    main()
