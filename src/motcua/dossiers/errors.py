"""The errors dossier services raise; ``str(error)`` is a Vietnamese message for the user."""

from __future__ import annotations


class DossierError(Exception):
    """Base of the errors a dossier service raises."""


class TransitionError(DossierError):
    """The change is not allowed in the dossier's current state, or its input is incomplete."""


class ConflictError(DossierError):
    """The dossier changed since the caller read it (stale ``expected_version``)."""


class DuplicateExternalRef(ConflictError):
    """A dossier with this reference in its source system exists already (``code``)."""

    def __init__(self, message: str, *, code: str) -> None:
        self.code = code
        super().__init__(message)


class ApplicantInvalid(DossierError):
    """The applicant's details are wrong; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class ActorNotAllowed(DossierError):
    """The actor may see the dossier but may not make this change: the dossier is not at
    their unit's step, or the change is not theirs to make."""
