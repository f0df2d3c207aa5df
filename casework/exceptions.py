"""Domain exceptions: the rules say no, and views map them to form or JSON errors."""


class DomainError(Exception):
    """A rule refused a change; `fields` names what to fix, in plain English."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidValue(DomainError):
    code = "invalid_value"


class ClosureNeedsAgreement(DomainError):
    code = "closure_needs_agreement"


class ReasonRequired(DomainError):
    code = "reason_required"


class Conflict(DomainError):
    """The change clashes with the record as it stands now: 409."""

    status = 409


class AlreadyClosed(Conflict):
    code = "already_closed"


class StaleVersion(Conflict):
    """Someone else saved the record since it was read."""

    code = "stale_version"

    def __init__(self, message: str, current=None):
        super().__init__(message)
        self.current = current


class DuplicateNhsNumber(Conflict):
    code = "duplicate_nhs_number"

    def __init__(self, message: str, existing_id: int):
        super().__init__(message, {"nhs_number": message})
        self.existing_id = existing_id


class MergedRecord(Conflict):
    """The person's record was merged into another: work goes to the kept record."""

    code = "merged_record"

    def __init__(self, message: str, merged_into_id: int):
        super().__init__(message)
        self.merged_into_id = merged_into_id
