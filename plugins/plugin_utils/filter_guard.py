# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One wrapper for the convergence filters (alb_sync, s3_sync, vpc_sync): a bad argument becomes a filter error that
names the filter, instead of a Python traceback in the play."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

BAD_ARGUMENT = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def guard(name, func):
    """``func`` raising AnsibleFilterError("<name>: <repr of the error>") on a bad argument."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BAD_ARGUMENT as exc:
            raise AnsibleFilterError(f"{name}: {exc!r}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


def guarded(filters):
    """``{name: func}`` with every function guarded, as FilterModule.filters returns it."""
    return {name: guard(name, func) for name, func in filters.items()}
