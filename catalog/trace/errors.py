"""Errors of catalog's traceability: batches, certificates, samples and trace codes."""

from __future__ import annotations

from yipin.errors import Conflict, DomainError, NotFound
from yipin.i18n import _l


class InvalidBatch(DomainError):
    code = "invalid_batch"
    message = _l("The batch details are not valid.")


class FailedInspection(InvalidBatch):
    code = "failed_inspection"
    message = _l(
        "A batch with a failed inspection (%(item)s) cannot go on sale. Re-test the lot or keep "
        "it off the market."
    )


class BatchTransitionNotAllowed(Conflict):
    code = "batch_transition_not_allowed"
    message = _l("This batch cannot be changed so: it is %(state)s.")


class InvalidCertification(DomainError):
    code = "invalid_certification"
    message = _l("The certificate details are not valid.")


class InvalidLicenceNumber(InvalidCertification):
    code = "invalid_licence_number"
    message = _l(
        "A food production licence number is SC followed by 14 digits, e.g. SC10636073400012."
    )


class DuplicateCertification(Conflict):
    code = "duplicate_certification"
    message = _l("A %(kind)s certificate with the number %(number)s is already registered.")


class CertificationRevoked(Conflict):
    code = "certification_revoked"
    message = _l("A revoked certificate cannot be changed; add a new one.")


class InvalidSample(DomainError):
    code = "invalid_sample"
    message = _l("The sampling record is not valid.")


class UnknownBatchCode(InvalidSample):
    status = 404
    code = "unknown_batch_code"
    message = _l("No batch has the traceability code %(batch_code)s.")


class UnknownTraceCode(NotFound):
    code = "unknown_trace_code"
    message = _l(
        "No batch has this traceability code. Check the code printed under the QR code on the "
        "certificate."
    )
