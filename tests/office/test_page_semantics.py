"""Screen-reader basics of the staff pages (issue 16): the flash messages are a list inside a
live region (role=status on the <ul> erased its list semantics), and every column of the
results table has a header."""

from __future__ import annotations

import re

from django.test import Client

from motcua.dossiers.models import Status

from .conftest import World, login, paper_parts
from .test_counter_rules import RECEIVE


def test_flash_messages_are_a_plain_list_inside_a_status_region(world: World) -> None:
    client = login(Client(), world.clerk)
    # Receiving at the counter flashes "Đã tiếp nhận hồ sơ …" on the dossier's page.
    sent = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/", {**RECEIVE, **paper_parts(world)}
    )
    assert sent.status_code == 302
    page = client.get(sent["Location"]).content.decode()
    region = re.search(
        r'<div class="messages" role="status">\s*<ul>(.*?)</ul>\s*</div>', page, re.S
    )
    assert region is not None and "<li" in region.group(1)
    assert '<ul class="messages" role="status">' not in page


def test_every_column_of_the_results_desk_has_a_header(world: World) -> None:
    world.dossier(status=Status.RESULT_READY)
    page = login(Client(), world.clerk).get("/can-bo/quay/tra-ket-qua/").content.decode()
    headers = re.findall(r"<th scope=\"col\">(.*?)</th>", page, re.S)
    assert len(headers) == 6
    assert all(re.sub(r"<[^>]+>", "", h).strip() for h in headers), headers
