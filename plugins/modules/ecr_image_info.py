#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: ecr_image_info
short_description: Look up a private ECR repository and which of the given image tags it holds
version_added: 1.0.0
description:
  - Describes a private Amazon ECR repository and looks up the given image tags in it.
  - Never fails because a repository or a tag is missing; it reports them, so a role can refuse an image
    tag that was never pushed before it changes anything.
options:
  repository:
    description:
      - Name of the repository.
    required: true
    type: str
  registry_id:
    description:
      - AWS account ID of the registry. Defaults to the caller's account.
    type: str
  image_tags:
    description:
      - Image tags to look up.
    type: list
    elements: str
    default: []
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Refuse a tag that was never pushed
  bluegreen.ecs.ecr_image_info:
    repository: prd-demo-web
    image_tags:
      - "1.4.2"
  register: _image

- name: Fail naming the tag
  ansible.builtin.assert:
    that: _image.missing_tags | length == 0
    fail_msg: "Image tag(s) {{ _image.missing_tags }} not found in ECR repository prd-demo-web"
"""

RETURN = r"""
repository:
  description:
    - The repository, snake_cased as returned by DescribeRepositories; empty when it does not exist.
    - C(tags) holds its tags (ListTagsForResource) as a dict, so a caller can tell whose repository it is.
  returned: always
  type: dict
  sample:
    repository_name: prd-demo-web
    repository_arn: arn:aws:ecr:us-east-1:123456789012:repository/prd-demo-web
    repository_uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/prd-demo-web
    image_tag_mutability: IMMUTABLE
    tags: {"Project": "demo", "Environment": "prd", "ManagedBy": "bluegreen.ecs"}
images:
  description: The images found for the requested tags (DescribeImages imageDetails, snake_cased).
  returned: always
  type: list
  elements: dict
  sample:
    - image_digest: "sha256:0123abcd"
      image_tags: ["1.4.2"]
missing_tags:
  description: The requested tags the repository does not hold (all of them when the repository does not exist).
  returned: always
  type: list
  elements: str
  sample: ["1.4.3"]
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

REPOSITORY = missing_is("RepositoryNotFoundException")
IMAGE = missing_is("ImageNotFoundException")


@REPOSITORY.list_error_handler("describe ECR repository {name}")
def describe_repository(client, name, extra):
    """The repository (snake case, with its tags), or None when it does not exist."""
    repositories = client.describe_repositories(aws_retry=True, repositoryNames=[name], **extra)["repositories"]
    if not repositories:
        return {}
    repository = camel_dict_to_snake_dict(repositories[0])
    tag_list = client.list_tags_for_resource(aws_retry=True, resourceArn=repositories[0]["repositoryArn"])["tags"]
    # After snake-casing: tag keys are the user's and must keep their case.
    repository["tags"] = boto3_tag_list_to_ansible_dict(tag_list)
    return repository


@IMAGE.list_error_handler("look up image tag {tag} in ECR repository {name}", [])
def images_tagged(client, name, tag, extra):
    return client.describe_images(aws_retry=True, repositoryName=name, imageIds=[{"imageTag": tag}], **extra)[
        "imageDetails"
    ]


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        registry_id=dict(type="str"),
        image_tags=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    name = module.params["repository"]
    extra = {"registryId": module.params["registry_id"]} if module.params["registry_id"] else {}
    tags = list(dict.fromkeys(module.params["image_tags"]))

    images, missing = [], []
    try:
        repository = describe_repository(client, name, extra)
        if repository is None:
            module.exit_json(changed=False, repository={}, images=[], missing_tags=tags)
        for tag in tags:
            found = images_tagged(client, name, tag, extra)
            if found:
                images.extend(found)
            else:
                missing.append(tag)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)

    module.exit_json(
        changed=False,
        repository=repository,
        images=[camel_dict_to_snake_dict(image) for image in images],
        missing_tags=missing,
    )


if __name__ == "__main__":
    main()
