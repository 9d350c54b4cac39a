# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A filter that does nothing, for what looking it up does (issue 15, converge time).

ansible-core finds a collection's filter by importing every filter file of the collection (Jinja2Loader), and each
task runs in a worker process forked from the controller: a task whose templates use any bluegreen.ecs filter imported
all of them again, about 0.3 s on every such task. The controller itself templates task names (the linear strategy,
before it queues a task); a task name that uses this filter makes the controller import the collection's filters once,
and every worker forked after that inherits them. roles/common's ``service`` entry point, which every layer includes
first, names its task with it."""

from __future__ import annotations


def preload_filters(value=""):
    """'' whatever ``value``; see the module docstring for why it exists."""
    return ""


class FilterModule:
    """bluegreen.ecs preload filter."""

    def filters(self):
        return {"preload_filters": preload_filters}
