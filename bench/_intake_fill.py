"""Helper of bench/intake.py, run in its own process with the bench's environment: migrate
the throwaway database, build the test suite's small province (``tests.world``) with six
parts on its procedure, and print a bearer token of its counter clerk."""

from __future__ import annotations

import sys
from pathlib import Path

PARTS = [
    "Tờ khai yêu cầu cấp phiếu lý lịch tư pháp",
    "Bản chụp giấy tờ tùy thân",
    "Bản chụp sổ hộ khẩu",
    "Văn bản ủy quyền",
    "Giấy tờ chứng minh thuộc đối tượng miễn phí",
    "Ảnh chân dung",
]


def main() -> None:
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from tests.world import world_build

    from motcua.api.tokens import api_token_create
    from motcua.catalog.models import Part

    world = world_build()
    Part.objects.bulk_create(
        Part(version=world.procedure, position=i, name=name) for i, name in enumerate(PARTS, 1)
    )
    print(world.procedure.procedure.code)
    print(api_token_create(user=world.clerk, name="bench", actor="bench")[1])


if __name__ == "__main__":
    main()
