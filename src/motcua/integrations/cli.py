"""``motcua dvcqg pull|push|status|resend|fake-server``: the national portal link by hand."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI


def _pull(args: argparse.Namespace) -> int:
    from motcua.integrations.dvcqg import PortalError
    from motcua.integrations.services import portal_pull

    try:
        report = portal_pull()
    except PortalError as exc:
        print(f"motcua dvcqg pull: {exc}")
        return 1
    print(
        f"đã tạo {len(report.created)}, đã có {len(report.existing)}, "
        f"không tạo được {len(report.failed)}; lần sau lấy từ {report.since or '-'}"
    )
    for code, error in report.failed.items():
        print(f"  {code}: {error}")
    return 1 if report.failed else 0


def _push(args: argparse.Namespace) -> int:
    from motcua.integrations.dvcqg import PortalError
    from motcua.integrations.services import portal_pushes_drain

    try:
        report = portal_pushes_drain()
    except PortalError as exc:
        print(f"motcua dvcqg push: {exc}")
        return 1
    print(
        f"đã gửi {report.sent}, chờ gửi lại {report.retrying}, gửi không thành công {report.failed}"
    )
    return 1 if report.failed else 0


def _status(args: argparse.Namespace) -> int:
    from motcua.integrations.services import portal_sync_summary

    print(json.dumps(portal_sync_summary(), ensure_ascii=False, indent=2))
    return 0


def _resend(args: argparse.Namespace) -> int:
    from motcua.integrations.models import PortalPush, PushStatus
    from motcua.integrations.services import portal_push_resend

    rows = PortalPush.objects.select_related("dossier")
    if args.failed:
        rows = rows.filter(status=PushStatus.FAILED)
    elif args.ids:
        rows = rows.filter(id__in=args.ids)
    else:
        print("motcua dvcqg resend: name rows (ID …) or --failed")
        return 2
    count = portal_push_resend(pushes=list(rows), actor="cli")
    print(f"đã đưa {count} trạng thái vào hàng đợi gửi lại")
    return 0


def _fake_server(args: argparse.Namespace) -> int:
    from motcua.integrations.fake_dvcqg import FakePortalServer, FakePortalState

    server = FakePortalServer((args.host, args.port), FakePortalState(token=args.token))
    print(f"Cổng DVCQG giả lập: {server.url} (Ctrl+C để dừng)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "dvcqg",
        help="the national public service portal (Cổng DVCQG): pull, push, status",
        description="Pull online submissions from the national portal, push dossier statuses "
        "to it, show the sync state (the worker does the first two periodically).",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser(
        "pull", help="create the online submissions made since the checkpoint"
    ).set_defaults(handler=_pull)
    sub.add_parser("push", help="send the statuses waiting now").set_defaults(handler=_push)
    sub.add_parser("status", help="checkpoint, queue and failures (JSON)").set_defaults(
        handler=_status
    )
    r = sub.add_parser("resend", help="queue statuses again (by row id, or all failed)")
    r.add_argument("ids", nargs="*", type=int, metavar="ID")
    r.add_argument("--failed", action="store_true", help="every status that failed for good")
    r.set_defaults(handler=_resend)
    f = sub.add_parser("fake-server", help="a local fake national portal, for a demonstration")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, default=8765)
    f.add_argument("--token", default="", help="the bearer token it requires (none by default)")
    f.set_defaults(handler=_fake_server)
