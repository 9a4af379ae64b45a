"""``motcua webhooks list|add|replay``: subscriptions and deliveries from the shell."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI


def _list(args: argparse.Namespace) -> int:
    from motcua.webhooks.models import Delivery, DeliveryStatus, Subscription

    for sub in Subscription.objects.prefetch_related("agencies"):
        pending = Delivery.objects.filter(subscription=sub, status=DeliveryStatus.PENDING).count()
        failed = Delivery.objects.filter(subscription=sub, status=DeliveryStatus.FAILED).count()
        agencies = ",".join(a.code for a in sub.agencies.all()) or "*"
        state = "on" if sub.active else "off"
        print(
            f"{sub.pk}\t{state}\t{sub.name}\t{sub.url}\t{','.join(sub.kinds)}\t{agencies}\t"
            f"chờ gửi {pending}, lỗi {failed}"
        )
    return 0


def _add(args: argparse.Namespace) -> int:
    from motcua.agencies.models import Agency
    from motcua.webhooks.services import webhook_subscription_create

    codes = [c for c in (args.agencies or "").split(",") if c.strip()]
    agencies = list(Agency.objects.filter(code__in=codes))
    missing = set(codes) - {a.code for a in agencies}
    if missing:
        print(f"motcua webhooks add: không có cơ quan mã {', '.join(sorted(missing))}")
        return 2
    try:
        sub, secret = webhook_subscription_create(
            name=args.name,
            url=args.url,
            kinds=args.kinds.split(","),
            agencies=agencies,
            actor="system",
        )
    except ValueError as exc:
        print(f"motcua webhooks add: {exc}")
        return 2
    print(f"Đã đăng ký webhook {sub.pk} ({sub.name}).")
    print(f"Khóa ký (chỉ hiện một lần, hãy lưu lại): {secret}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from motcua.webhooks.models import Delivery
    from motcua.webhooks.services import webhook_deliveries_replay

    deliveries = Delivery.objects.filter(pk__in=args.ids)
    missing = set(args.ids) - set(deliveries.values_list("pk", flat=True))
    if missing:
        print(f"motcua webhooks replay: không có lần gửi {', '.join(map(str, sorted(missing)))}")
        return 2
    count = webhook_deliveries_replay(deliveries=deliveries, actor="system")
    print(f"Đã đưa {count} lần gửi vào hàng đợi; `motcua worker` sẽ gửi.")
    return 0


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "webhooks",
        help="webhook subscriptions and deliveries",
        description="List and add webhook subscriptions, send deliveries again.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list the subscriptions")
    ls.set_defaults(handler=_list)
    add = sub.add_parser("add", help="add a subscription (prints its secret once)")
    add.add_argument("name", help="the receiving system's name")
    add.add_argument("url", help="where deliveries are POSTed")
    add.add_argument("--kinds", default="all", help="event types, comma-separated (default: all)")
    add.add_argument("--agencies", default="", help="only dossiers of these agency codes")
    add.set_defaults(handler=_add)
    rp = sub.add_parser("replay", help="send deliveries again (by id)")
    rp.add_argument("ids", nargs="+", type=int, metavar="ID")
    rp.set_defaults(handler=_replay)
