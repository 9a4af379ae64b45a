"""The demo loader: PAKN in every state, ratings of resolved dossiers, a counter tablet."""

from __future__ import annotations

from motcua.feedback import demo
from motcua.feedback.models import Feedback, FeedbackStatus, KioskRating, Rating
from tests.feedback.conftest import dossier_make
from tests.world import World


def test_demo_loads_once(world: World) -> None:
    dossier_make(world)
    demo.load(lambda _m: None)
    demo.load(lambda _m: None)
    assert Feedback.objects.count() == 5
    statuses = set(Feedback.objects.values_list("status", flat=True))
    assert statuses == {
        FeedbackStatus.RECEIVED,
        FeedbackStatus.FORWARDED,
        FeedbackStatus.ANSWERED,
        FeedbackStatus.REOPENED,
    }
    assert Feedback.objects.filter(published_at__isnull=False).count() == 2
    assert Rating.objects.count() == 1
    assert KioskRating.objects.filter(clerk=world.clerk).count() == 12
