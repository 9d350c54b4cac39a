# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several AWS clients for one module run, from one boto3 session.

``AnsibleAWSModule.client`` opens a new boto3 session for each client, and each session parses
botocore's endpoint data again: about 40 ms a client. The release module needs four or five clients
on every run, so they share a session here. Everything else is what ``AnsibleAWSModule.client``
does: the connection settings come from amazon.aws (``get_aws_connection_info``: region,
endpoint_url, profile, credentials, ca_bundle, aws_config), connection errors fail the module the
same way, and each client is wrapped with the retry decorator in ``RetryingBotoClientWrapper``.
"""

from __future__ import annotations

try:
    import boto3
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

USER_AGENT_EXTRA = "bluegreen.ecs"


class SessionClients:
    """``clients("ecs")``: a client made once per service, all from one session."""

    def __init__(self, module, retry_decorator=None):
        self._module = module
        self._retry = retry_decorator
        self._session = None
        self._settings = None
        self._made = {}

    def __call__(self, service, read_timeout=None):
        """``read_timeout``: for a synchronous call that may run that long (a Lambda invocation); that client makes a
        single attempt, since a retry would run the call twice."""
        key = (service, read_timeout)
        if key not in self._made:
            self._made[key] = self._create(service, read_timeout)
        return self._made[key]

    def _create(self, service, read_timeout=None):
        if self._session is None:
            region, endpoint_url, params = get_aws_connection_info(self._module)
            params = dict(params)
            profile = params.pop("profile_name", None)
            config = botocore.config.Config(user_agent_extra=USER_AGENT_EXTRA)
            extra = params.pop("aws_config", None)
            if extra is not None:
                config = config.merge(extra)
            self._settings = dict(params, region_name=region, endpoint_url=endpoint_url, config=config)
            try:
                self._session = boto3.session.Session(profile_name=profile)
            except botocore.exceptions.BotoCoreError as e:
                self._module.fail_json_aws(e, msg="Couldn't connect to AWS")
        settings = self._settings
        if read_timeout:
            long_call = botocore.config.Config(read_timeout=read_timeout, retries={"total_max_attempts": 1})
            settings = dict(settings, config=settings["config"].merge(long_call))
        try:
            client = self._session.client(service, **settings)
        except botocore.exceptions.NoRegionError:
            self._module.fail_json(msg=f"The {self._module._name} module requires a region and none was found")
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            self._module.fail_json_aws(e, msg="Couldn't connect to AWS")
        return client if self._retry is None else RetryingBotoClientWrapper(client, self._retry)
