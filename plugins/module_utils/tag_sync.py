# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags of one resource, read, compared and brought to what the task asks, for every service alike.

The services spell their tagging calls differently; ``TagApi`` names each spelling. ``plan`` is the
decision (pure: amazon.aws's ``compare_aws_tags``, so AWS-reserved ``aws:`` tags are never purged);
``read`` and ``write`` make the calls, with retries; ``sync`` does the three for a module's O(tags)
and O(purge_tags). Botocore errors propagate: the module reports them with ``fail_json_aws`` and its
own message.
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)

# The request and response fields of ListTagsForResource, TagResource and UntagResource.
TagApi = namedtuple("TagApi", "arn keys tags key value")

CODEDEPLOY = TagApi("ResourceArn", "TagKeys", "Tags", "Key", "Value")
CODECONNECTIONS = CODEDEPLOY
CODEPIPELINE = TagApi("resourceArn", "tagKeys", "tags", "key", "value")
ECR = TagApi("resourceArn", "tagKeys", "tags", "Key", "Value")
ECS = CODEPIPELINE


class TagPlan(namedtuple("TagPlan", "to_add to_remove final")):
    """What to tag, what to untag (sorted keys), and the tags the resource ends with."""

    @property
    def changed(self):
        return bool(self.to_add or self.to_remove)


def plan(current, wanted, purge):
    """The change from ``current`` to ``wanted`` (values compared as strings, as AWS stores them)."""
    wanted = {str(key): str(value) for key, value in wanted.items()}
    to_add, to_remove = compare_aws_tags(current, wanted, purge_tags=purge)
    final = {key: value for key, value in current.items() if key not in to_remove}
    final.update(to_add)
    return TagPlan(dict(sorted(to_add.items())), sorted(to_remove), final)


def as_plain_dict(tags):
    """{key: value} of a dict or of a tag list in either spelling (Key/Value, or ECS's and CodePipeline's key/value)."""
    if isinstance(tags, dict):
        return dict(tags)
    return {tag.get("Key", tag.get("key")): tag.get("Value", tag.get("value")) for tag in tags or []}


def in_sync(current, wanted):
    """A writer with purge_tags on would change no tag: ``current`` (dict or tag list) holds exactly ``wanted`` besides
    the aws: tags no writer purges. The one comparison every layer's convergence plan uses."""
    return not plan(as_plain_dict(current), wanted or {}, True).changed


def as_list(api, tags):
    """``tags`` as the service's tag list, in key order."""
    return ansible_dict_to_boto3_tag_list(dict(sorted(tags.items())), api.key, api.value)


def as_dict(api, tag_list):
    return boto3_tag_list_to_ansible_dict(tag_list or [], api.key, api.value)


def read(client, api, arn):
    """The resource's tags as a dict, every page of them."""
    if client.can_paginate("list_tags_for_resource"):
        # Imported here, not at the top: the convergence filters import this file for plan(), and Ansible loads the
        # collection's filter files in every task that uses one; botocore made each such task ~0.5 s slower (issue 15).
        from ansible_collections.amazon.aws.plugins.module_utils.botocore import (  # pylint: disable=import-outside-toplevel
            paginated_query_with_retries,
        )

        return as_dict(
            api, paginated_query_with_retries(client, "list_tags_for_resource", **{api.arn: arn}).get(api.tags)
        )
    tags, token = [], {}
    while True:
        page = client.list_tags_for_resource(aws_retry=True, **{api.arn: arn}, **token)
        tags.extend(page.get(api.tags) or [])
        if not page.get("NextToken"):
            return as_dict(api, tags)
        token = {"NextToken": page["NextToken"]}


def write(client, api, arn, change):
    """Untag, then tag, as ``change`` (a ``plan``) says; nothing when nothing changes."""
    if change.to_remove:
        client.untag_resource(aws_retry=True, **{api.arn: arn, api.keys: list(change.to_remove)})
    if change.to_add:
        client.tag_resource(aws_retry=True, **{api.arn: arn, api.tags: as_list(api, change.to_add)})


def sync(module, client, api, arn):
    """Bring the tags to the module's O(tags) (O(purge_tags)); return (tags before, plan).

    In check mode, only the plan."""
    current = read(client, api, arn)
    change = plan(current, module.params["tags"], module.params["purge_tags"])
    if change.changed and not module.check_mode:
        write(client, api, arn, change)
    return current, change
