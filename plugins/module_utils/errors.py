# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error handler for the collection's modules, in amazon.aws's style (``module_utils/errors.py``).

A function that calls AWS carries a decorator of ``missing_is(<codes>)``, amazon.aws's ``AWSErrorHandler``:

- ``list_error_handler(description, default)``: a read; an error whose code is one of ``<codes>`` (the
  resource is not there) returns ``default``;
- ``deletion_error_handler(description)``: a delete; one of ``<codes>`` means already gone (returns False);
- ``common_error_handler(description)``: anything else.

Every other botocore error (AccessDenied, throttling past the retries, validation) is raised as
``BluegreenAWSError("Failed to <description>")`` and the module's ``main`` reports it once with
``module.fail_json_aws_error(e)``: nothing but "not found" is ever swallowed. Unlike amazon.aws, the description
may name the function's arguments (``"get CodeDeploy application {name}"``), so the message says which resource.
"""

from __future__ import annotations

import functools
import inspect

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class BluegreenAWSError(AnsibleAWSError):
    """An AWS call of this collection failed; ``main`` reports it with ``module.fail_json_aws_error``."""


class ErrorHandler:
    """amazon.aws's three decorators for one set of "not found" codes, with descriptions that may name arguments."""

    def __init__(self, *missing_codes):
        # amazon.aws's own handler, unchanged but for the exception and what "not found" is.
        self.handler = type(
            f"ErrorHandler({', '.join(missing_codes)})",
            (AWSErrorHandler,),
            {"_CUSTOM_EXCEPTION": BluegreenAWSError, "_is_missing": classmethod(lambda cls: _missing(missing_codes))},
        )

    def list_error_handler(self, description, default_value=None):
        return _named(self.handler.list_error_handler, description, default_value)

    def deletion_error_handler(self, description):
        return _named(self.handler.deletion_error_handler, description)

    def common_error_handler(self, description):
        return _named(self.handler.common_error_handler, description)


def _missing(codes):
    """What amazon.aws's handler catches as "not found": these codes, or nothing when there are none."""
    if codes:
        return is_boto3_error_code(list(codes))
    return AWSErrorHandler._is_missing()  # pylint: disable=protected-access  # the never-raised exception


def _named(decorator, description, *extra):
    """``decorator(description)`` applied at each call, once the description names the call's arguments."""

    def wrapper(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def handler(*args, **kwargs):
            named = describe(description, signature, args, kwargs)
            return decorator(named, *extra)(func)(*args, **kwargs)

        return handler

    return wrapper


def describe(description, signature, args, kwargs):
    """``description`` with ``{argument}`` fields filled from the call (as it is when it names none)."""
    if "{" not in description:
        return description
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return description.format(**bound.arguments)


def missing_is(*codes):
    """The error handler whose reads and deletes treat these AWS error codes as "the resource is not there"."""
    return ErrorHandler(*codes)
