# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the pipeline role: decisions kept in module_utils, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import codepipeline


def codebuild_environment(architecture, image=""):
    """The CodeBuild environment (type and image) that builds for the service's CPU architecture."""
    try:
        return codepipeline.build_environment(architecture, image)
    except codepipeline.PipelineError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """bluegreen.ecs pipeline filters."""

    def filters(self):
        return {"codebuild_environment": codebuild_environment}
