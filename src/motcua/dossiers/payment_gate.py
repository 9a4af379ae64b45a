"""Whether a dossier's fee must be paid before the work starts (issue 17, "Chờ thanh toán").

The fee tables belong to ``fees``, which depends on ``dossiers``; so ``fees`` registers the
answer here from its ``AppConfig.ready`` and ``dossiers`` names no fee model (as with
``listeners``). Without a registered gate nothing waits.
"""

from __future__ import annotations

from collections.abc import Callable

from motcua.dossiers.models import Dossier

PaymentGate = Callable[[Dossier], bool]

_GATE: list[PaymentGate] = []


def payment_gate_register(gate: PaymentGate) -> None:
    """``gate(dossier)``: True when the dossier, being received now, owes a fee that its
    procedure version wants paid before processing (replaces a previous gate). Asked before
    the dossier's INSERT, the gate may set the fee it assessed on the row (``fee_total``,
    ``fee_lines``): the INSERT then carries it."""
    _GATE[:] = [gate]


def payment_first(dossier: Dossier) -> bool:
    return any(gate(dossier) for gate in _GATE)
