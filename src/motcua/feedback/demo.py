"""Demo ratings, a counter tablet and a few PAKN in every state. Idempotent: skipped when
demo PAKN exist. Runs after the dossier demo loaders (it rates their resolved dossiers)."""

from __future__ import annotations

import random

from django.contrib.auth.models import User

from motcua.agencies.models import Agency
from motcua.core.demo import Login, Progress
from motcua.dossiers.models import Dossier, EndKind
from motcua.feedback.models import Feedback, KioskDevice, Rating, RatingChannel
from motcua.feedback.rubric import applies
from motcua.feedback.services import (
    FeedbackInput,
    feedback_answer,
    feedback_classify,
    feedback_forward,
    feedback_mark_unsatisfied,
    feedback_publish,
    feedback_submit,
    kiosk_rate,
    rating_facts,
    rating_rubric,
    rating_submit,
)

KIOSK_TOKEN = "demo-quay-01"  # /danh-gia/quay/demo-quay-01/ (demo only: real tokens are random)


def load(progress: Progress) -> list[Login]:
    if Feedback.objects.filter(title__startswith="[demo]").exists():
        progress("Phản ánh, đánh giá demo: đã có.")
        return []
    rng = random.Random(33)
    clerk = User.objects.filter(username="tiepnhan").first()
    if clerk is not None:
        device, _ = KioskDevice.objects.get_or_create(
            token=KIOSK_TOKEN, defaults={"clerk": clerk, "label": "Quầy số 1"}
        )
        for _i in range(12):
            kiosk_rate(device=device, score=rng.choice([2, 2, 2, 1, 0]))
    rated = 0
    resolved = Dossier.objects.filter(end_kind=EndKind.RESULT, rating__isnull=True).order_by(
        "-ended_at"
    )[:40]
    for dossier in resolved:
        facts = rating_facts(dossier)
        answers = {
            item.code: rng.choice(
                [item.options[0]] * 6 + [item.options[1]] * 3 + [item.options[2]]
            ).code
            for item in rating_rubric(dossier).items
            if applies(item, facts)
        }
        rating_submit(
            dossier=dossier,
            answers=answers,
            channel=rng.choice([RatingChannel.WEB, RatingChannel.QR]),
        )
        rated += 1
    staff = User.objects.filter(username="vanphong").first() or "demo"
    justice = Agency.objects.filter(code="000.00.03.H38").first()
    others = Agency.objects.filter(parent__isnull=False)
    other = (others.exclude(pk=justice.pk) if justice else others).first()
    cases = [
        (
            "Thời gian chờ tại quầy quá lâu",
            "Tôi phải chờ hơn 2 giờ tại quầy số 3 ngày 12/10.",
            "answered",
        ),
        (
            "Đề nghị bổ sung mẫu tờ khai điện tử",
            "Đề nghị cho phép điền tờ khai trực tuyến.",
            "published",
        ),
        (
            "Hồ sơ trả kết quả chậm",
            "Hồ sơ của tôi quá hẹn 3 ngày. Số điện thoại của tôi 0912345678.",
            "unsatisfied",
        ),
        ("Phí cấp phiếu lý lịch tư pháp", "Phí thu có đúng quy định không?", "forwarded"),
        ("Cán bộ hướng dẫn chưa rõ", "Cán bộ hướng dẫn chưa rõ thành phần hồ sơ.", "received"),
    ]
    for n, (title, text, state) in enumerate(cases, start=1):
        fb = feedback_submit(
            data=FeedbackInput(
                subject="general",
                title=f"[demo] {title}",
                text=text,
                name=f"Người gửi demo {n}",
                phone=f"09000000{n:02d}",
                email=f"nguoigui{n}@example.invalid",
            )
        )
        if state == "received":
            continue
        fb = feedback_classify(feedback=fb, actor=staff, kind="report", agency=justice)
        if state == "forwarded" and other is not None:
            feedback_forward(
                feedback=fb, actor=staff, to_agency=other, note="Không thuộc thẩm quyền"
            )
            continue
        fb = feedback_answer(
            feedback=fb, actor=staff, answer="Cơ quan đã kiểm tra và xin trả lời như sau: …"
        )
        if state in ("published", "unsatisfied"):
            fb = feedback_publish(
                feedback=fb, actor=staff, public_text=text.replace("0912345678", "[đã ẩn]")
            )
        if state == "unsatisfied":
            feedback_mark_unsatisfied(feedback=fb, secret=fb.secret, reason="Chưa giải quyết được")
    progress(
        f"Đánh giá demo: {rated} hồ sơ, {Rating.objects.count()} tổng; phản ánh demo: {len(cases)}."
    )
    return []
