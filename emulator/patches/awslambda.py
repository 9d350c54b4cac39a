"""Lambda: Invoke runs the function (emulator/dataplane/functions.py) instead of moto's Docker container.

Follows https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (status 200 / 202 / 204 by InvocationType,
X-Amz-Function-Error, X-Amz-Log-Result with LogType Tail, X-Amz-Executed-Version) and
https://docs.aws.amazon.com/lambda/latest/api/API_VpcConfigResponse.html (VpcId is the VPC of the function's subnets;
moto answers a fixed "vpc-123abc"). InvokeAsync (deprecated) is an Event invocation answering 202 with
``{"Status": 202}`` (https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html).
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from moto.awslambda.models import LambdaFunction
from moto.awslambda.responses import LambdaResponse

from emulator.dataplane import functions

_MARK = "_emulator_lambda_runs"


def _function(response, name: str):
    return response.backend.get_function(name, response._get_param("qualifier"))  # pylint: disable=protected-access


def invoke(self):
    fn = _function(self, unquote(self.path.rsplit("/", 2)[-2]))
    invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    result = functions.invoke(fn, self.body, invocation_type)
    # moto's server takes the status from this header ("status"), not only from the tuple
    headers = {"content-type": "application/json", "status": str(result.status)}
    if result.status == 200:
        headers["x-amz-executed-version"] = "$LATEST"
        if result.function_error:
            headers["x-amz-function-error"] = result.function_error
        if (self.headers.get("X-Amz-Log-Type") or "None") == "Tail":
            headers["x-amz-log-result"] = result.log_tail()
    if result.request_id:
        headers["x-amzn-requestid"] = result.request_id
    return result.status, headers, result.payload


def invoke_async(self):
    path = self.path.rstrip("/")
    fn = _function(self, unquote(path.rsplit("/", 2)[-2]))
    functions.invoke(fn, self.body, "Event")
    return 202, {"content-type": "application/json", "status": "202"}, json.dumps({"Status": 202})


def _vpc_config(self):
    """VpcConfigResponse: the subnets' VPC, not moto's placeholder."""
    config = dict(self._vpc_config or {})  # pylint: disable=protected-access
    if not config:
        return None
    subnets = config.get("SubnetIds") or []
    if subnets:
        from moto.ec2.models import ec2_backends  # noqa: PLC0415

        try:
            config["VpcId"] = ec2_backends[self.account_id][self.region].get_subnet(subnets[0]).vpc_id
        except Exception:  # noqa: BLE001 - an unknown subnet keeps moto's answer (AWS refuses it at create)
            config["VpcId"] = ""
    config.setdefault("SecurityGroupIds", [])
    return config


def apply() -> None:
    if getattr(LambdaResponse.invoke, _MARK, False):
        return
    for function in (invoke, invoke_async):
        setattr(function, _MARK, True)
    LambdaResponse.invoke = invoke
    LambdaResponse.invoke_async = invoke_async
    LambdaFunction.vpc_config = property(_vpc_config)
