#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: codepipeline
version_added: 1.0.0
short_description: Create, update or delete an AWS CodePipeline, idempotently
description:
  - Creates, updates or deletes an AWS CodePipeline pipeline, and keeps its tags.
  - Unlike M(community.aws.codepipeline), which calls C(UpdatePipeline) on every run (so it reports C(changed) every
    time and the pipeline version goes up) and has no check mode, this module compares the wanted pipeline with
    C(GetPipeline) first and calls C(UpdatePipeline) only when something differs. It supports check mode and diff.
  - The comparison ignores what AWS adds by itself (version, metadata, default run order, empty artifact lists,
    secrets AWS returns masked as C(****)).
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  name:
    description:
      - Name of the pipeline.
    required: true
    type: str
  role_arn:
    description:
      - ARN of the IAM role CodePipeline assumes. Required with O(state=present).
    type: str
  artifact_store:
    description:
      - Where CodePipeline keeps artifacts. Required with O(state=present).
    type: dict
    suboptions:
      type:
        description:
          - Type of the store.
        type: str
        default: S3
        choices: ['S3']
      location:
        description:
          - Bucket name.
        type: str
        required: true
      encryption_key:
        description:
          - KMS key of the artifacts; AWS uses the S3 default key when not set.
        type: dict
        suboptions:
          id:
            description:
              - Key ID, ARN or alias ARN.
            type: str
            required: true
          type:
            description:
              - Key type.
            type: str
            default: KMS
            choices: ['KMS']
  stages:
    description:
      - The stages, in the shape of the CodePipeline API (C(name), C(actions), each action with C(name),
        C(action_type_id), C(run_order), C(configuration), C(input_artifacts), C(output_artifacts), ...).
      - Keys may be snake_case or camelCase; the keys inside C(configuration) (C(ProjectName), C(BranchName)) are
        passed unchanged and their values turned into strings.
      - At least two stages. Required with O(state=present).
    type: list
    elements: dict
  pipeline_type:
    description:
      - V(V2) pipelines have variables, triggers and the QUEUED and PARALLEL execution modes.
      - When not set, the live type is kept (AWS creates V1 when it is not given).
    type: str
    choices: ['V1', 'V2']
  execution_mode:
    description:
      - How runs that overlap are handled. When not set, the live mode is kept (AWS default C(SUPERSEDED)).
    type: str
    choices: ['QUEUED', 'SUPERSEDED', 'PARALLEL']
  variables:
    description:
      - Pipeline-level variables (V2 only). When not set, the live variables are kept.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Variable name.
        type: str
        required: true
      default_value:
        description:
          - Value used when a run does not set one.
        type: str
      description:
        description:
          - What the variable is for.
        type: str
  triggers:
    description:
      - Git triggers (V2 only), in the API shape (C(provider_type), C(git_configuration)), snake_case or camelCase.
      - When not set, the live triggers are kept.
    type: list
    elements: dict
  state:
    description:
      - V(present) creates or updates the pipeline, V(absent) deletes it.
    type: str
    default: present
    choices: ['present', 'absent']
notes:
  - Secrets in action configuration (for example a GitHub OAuthToken) are shown as C(****) in diff and return
    values, but module arguments are visible to anyone who can read the task; prefer a CodeStar/CodeConnections
    source action, which needs no secret.
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Build and blue/green deploy pipeline
  bluegreen.ecs.codepipeline:
    name: prd-web-pipeline
    role_arn: "{{ pipeline_role_arn }}"
    pipeline_type: V2
    execution_mode: QUEUED
    artifact_store:
      location: prd-web-artifacts-123456789012-us-east-1
    stages:
      - name: Source
        actions:
          - name: Source
            action_type_id: {category: Source, owner: AWS, provider: CodeStarSourceConnection, version: "1"}
            configuration:
              ConnectionArn: "{{ connection_arn }}"
              FullRepositoryId: example/web
              BranchName: main
              DetectChanges: false
            output_artifacts: [{name: SourceArtifact}]
      - name: Build
        actions:
          - name: Build
            action_type_id: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
            configuration:
              ProjectName: prd-web-build
            input_artifacts: [{name: SourceArtifact}]
            output_artifacts: [{name: BuildArtifact}]
      - name: Deploy
        actions:
          - name: Deploy
            action_type_id: {category: Deploy, owner: AWS, provider: CodeDeployToECS, version: "1"}
            configuration:
              ApplicationName: prd-web
              DeploymentGroupName: prd-web-dg
              TaskDefinitionTemplateArtifact: BuildArtifact
              TaskDefinitionTemplatePath: taskdef.json
              AppSpecTemplateArtifact: BuildArtifact
              AppSpecTemplatePath: appspec.yml
              Image1ArtifactName: BuildArtifact
              Image1ContainerName: IMAGE1_NAME
            input_artifacts: [{name: BuildArtifact}]
    triggers:
      - provider_type: CodeStarSourceConnection
        git_configuration:
          source_action_name: Source
          push: [{branches: {includes: [main]}}]
    tags:
      Environment: prd

- name: Delete it
  bluegreen.ecs.codepipeline:
    name: prd-web-pipeline
    state: absent
"""

RETURN = r"""
pipeline:
  description:
    - The pipeline as C(GetPipeline) describes it (snake_case; keys inside C(configuration) unchanged); empty after
      deletion. In check mode, for a pipeline still to create, the wanted declaration.
  returned: always
  type: dict
  contains:
    name:
      description: Pipeline name.
      returned: when the pipeline exists
      type: str
      sample: prd-web-pipeline
    role_arn:
      description: The pipeline's role.
      returned: when the pipeline exists
      type: str
      sample: arn:aws:iam::123456789012:role/prd-web-pipeline-role
    artifact_store:
      description: Artifact store.
      returned: when the pipeline exists
      type: dict
      sample: {"type": "S3", "location": "prd-web-artifacts-123456789012-us-east-1"}
    stages:
      description: The stages.
      returned: when the pipeline exists
      type: list
      elements: dict
    version:
      description: Version number; it goes up only when the module updates the pipeline.
      returned: when the pipeline exists and is not only planned (check mode)
      type: int
      sample: 3
    pipeline_type:
      description: V1 or V2.
      returned: when AWS returns it
      type: str
      sample: V2
    execution_mode:
      description: Execution mode.
      returned: when AWS returns it
      type: str
      sample: QUEUED
    metadata:
      description: ARN and creation/update times.
      returned: when the pipeline exists and is not only planned (check mode)
      type: dict
      sample: {"pipeline_arn": "arn:aws:codepipeline:us-east-1:123456789012:prd-web-pipeline"}
    tags:
      description: The pipeline's tags.
      returned: when O(tags) is set
      type: dict
      sample: {"Environment": "prd"}
changed_paths:
  description: What differs between the live and the wanted pipeline, as paths.
  returned: when an existing pipeline is updated (or would be, in check mode)
  type: list
  elements: str
  sample: ["stages[Deploy].actions[Deploy].configuration.DeploymentGroupName"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.codepipeline import (
    PipelineError,
    build_declaration,
    changed_paths,
    compare_pipeline,
    mask_secrets,
    to_snake_shape,
    update_declaration,
    validate_declaration,
)
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

PIPELINE = missing_is("PipelineNotFoundException")


def snake(declaration):
    return to_snake_shape(mask_secrets(declaration))


class PipelineManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client("codepipeline", retry_decorator=AWSRetry.jittered_backoff())

    @PIPELINE.list_error_handler("get pipeline {self.params[name]}")
    def get(self):
        return self.client.get_pipeline(name=self.params["name"], aws_retry=True)

    @PIPELINE.common_error_handler("create pipeline {self.params[name]}")
    def create(self, **kwargs):
        self.client.create_pipeline(aws_retry=True, **kwargs)

    @PIPELINE.common_error_handler("update pipeline {self.params[name]}")
    def update(self, declaration):
        self.client.update_pipeline(pipeline=declaration, aws_retry=True)

    @PIPELINE.deletion_error_handler("delete pipeline {self.params[name]}")
    def delete(self):
        self.client.delete_pipeline(name=self.params["name"], aws_retry=True)

    @PIPELINE.common_error_handler("update the tags of {arn}")
    def sync_tags(self, arn):
        """Bring the pipeline's tags to O(tags); return (tags before, plan). Check mode: only the plan."""
        return tag_sync.sync(self.module, self.client, tag_sync.CODEPIPELINE, arn)

    def result(self, answer, tags):
        pipeline = snake(answer["pipeline"])
        if answer.get("metadata"):
            pipeline["metadata"] = to_snake_shape(answer["metadata"])
        if tags is not None:
            pipeline["tags"] = tags
        return pipeline

    def present(self):
        try:
            wanted = build_declaration(self.params)
            validate_declaration(wanted)
        except PipelineError as e:
            self.module.fail_json(msg=str(e))
        tags = self.params["tags"]
        answer = self.get()
        live = answer["pipeline"] if answer else None
        before, after = compare_pipeline(wanted, live)
        diff = {"before": snake(before), "after": snake(after)}
        extra = {}

        if live is None:
            if tags is not None:
                diff["after"]["tags"] = tags
            if self.module.check_mode:
                result = snake(wanted)
                if tags is not None:
                    result["tags"] = tags
                return True, result, diff, extra
            kwargs = {"pipeline": wanted}
            if tags:
                kwargs["tags"] = tag_sync.as_list(tag_sync.CODEPIPELINE, tags)
            self.create(**kwargs)
            return True, self.result(self.get(), tags), diff, extra

        changed = before != after
        if changed:
            extra["changed_paths"] = changed_paths(before, after)
            if not self.module.check_mode:
                self.update(update_declaration(wanted, live))
                answer = self.get()
        final_tags = None
        if tags is not None:
            current, change = self.sync_tags(answer["metadata"]["pipelineArn"])
            final_tags = change.final
            diff["before"]["tags"] = current
            diff["after"]["tags"] = final_tags
            changed = changed or change.changed
        if changed and self.module.check_mode:
            answer = dict(answer, pipeline=update_declaration(wanted, live))
        return changed, self.result(answer, final_tags), diff, extra

    def absent(self):
        answer = self.get()
        if answer is None:
            return False, {}, {"before": {}, "after": {}}, {}
        before, _after = compare_pipeline({}, answer["pipeline"])
        diff = {"before": snake(before), "after": {}}
        if not self.module.check_mode:
            self.delete()
        return True, {}, diff, {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        role_arn=dict(type="str"),
        artifact_store=dict(
            type="dict",
            options=dict(
                type=dict(type="str", default="S3", choices=["S3"]),
                location=dict(type="str", required=True),
                encryption_key=dict(
                    type="dict",
                    no_log=False,  # a KMS key id, not a secret
                    options=dict(
                        id=dict(type="str", required=True),
                        type=dict(type="str", default="KMS", choices=["KMS"]),
                    ),
                ),
            ),
        ),
        stages=dict(type="list", elements="dict"),
        pipeline_type=dict(type="str", choices=["V1", "V2"]),
        execution_mode=dict(type="str", choices=["QUEUED", "SUPERSEDED", "PARALLEL"]),
        variables=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                default_value=dict(type="str"),
                description=dict(type="str"),
            ),
        ),
        triggers=dict(type="list", elements="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["role_arn", "artifact_store", "stages"])],
    )
    manager = PipelineManager(module)
    try:
        if module.params["state"] == "present":
            changed, pipeline, diff, extra = manager.present()
        else:
            changed, pipeline, diff, extra = manager.absent()
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    result = dict(extra, changed=changed, pipeline=pipeline)
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
