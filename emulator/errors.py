"""The error type every patch raises."""

from moto.core.exceptions import ServiceException


class AwsError(ServiceException):
    """An AWS error answer: moto serialises it in the calling service's protocol (HTTP 400, code, message).

    Defined outside the ``moto`` package on purpose: moto looks up a ``moto.<service>`` exception's model
    by its module name, and would fail on one raised from ``moto.core``.
    """

    def __init__(self, code: str, message: str):
        super().__init__(code, message)
