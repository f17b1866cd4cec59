"""App Runner errors in AWS's JSON error shape (the codes match the botocore model's exception shapes)."""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class InvalidRequestException(ServiceException):
    code = "InvalidRequestException"


class InvalidStateException(ServiceException):
    code = "InvalidStateException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"

    def __init__(self, kind: str, identifier: str):
        super().__init__(f"{kind} not found: {identifier}")


class ServiceQuotaExceededException(ServiceException):
    code = "ServiceQuotaExceededException"
