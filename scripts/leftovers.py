"""List what is still tagged for an environment: python scripts/leftovers.py --env prd [--endpoint-url URL].

destroy.yml must leave nothing behind; this is how its test (and an operator) checks. It asks the
Resource Groups Tagging API, plus the services that API does not cover (IAM) or that the emulator
does not index there (ECR, CodeBuild, CodePipeline, Elastic IPs, Cloud Map). Exit 1 when anything remains.
"""

import argparse
import functools
import json
import sys

import boto3

MANAGED_BY = "bluegreen.ecs"


def _ours(tags, env):
    tags = {t.get("Key", t.get("key")): t.get("Value", t.get("value")) for t in tags or []}
    return tags.get("Environment") == env and tags.get("ManagedBy") == MANAGED_BY


def _gone(session, arn):
    """Resources AWS keeps listing for a while after deletion (deleted NAT gateways, INACTIVE ECS ones)."""
    kind = arn.split(":")[5]
    if kind.startswith("natgateway/"):
        gateways = session.client("ec2").describe_nat_gateways(NatGatewayIds=[kind.split("/", 1)[1]])["NatGateways"]
        return all(g["State"] in ("deleted", "deleting") for g in gateways)
    ecs = session.client("ecs")
    if kind.startswith("cluster/"):
        clusters = ecs.describe_clusters(clusters=[arn])["clusters"]
        return all(c["status"] == "INACTIVE" for c in clusters)
    if kind.startswith("service/"):
        cluster = kind.split("/")[1]
        services = ecs.describe_services(cluster=cluster, services=[arn])["services"]
        return all(svc["status"] == "INACTIVE" for svc in services)
    if kind.startswith("task-definition/"):
        status = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"]
        return status != "ACTIVE"
    return False


def tagging_api(session, env):
    pages = session.client("resourcegroupstaggingapi").get_paginator("get_resources")
    filters = [{"Key": "Environment", "Values": [env]}, {"Key": "ManagedBy", "Values": [MANAGED_BY]}]
    arns = [r["ResourceARN"] for page in pages.paginate(TagFilters=filters) for r in page["ResourceTagMappingList"]]
    return [arn for arn in arns if not _gone(session, arn)]


def iam_roles(session, env):
    iam = session.client("iam")
    found = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if _ours(iam.list_role_tags(RoleName=role["RoleName"])["Tags"], env):
                found.append(role["Arn"])
    return found


def ecr_repositories(session, env):
    ecr = session.client("ecr")
    found = []
    for page in ecr.get_paginator("describe_repositories").paginate():
        for repo in page["repositories"]:
            if _ours(ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"], env):
                found.append(repo["repositoryArn"])
    return found


def codebuild_projects(session, env):
    codebuild = session.client("codebuild")
    names = codebuild.list_projects()["projects"]
    projects = codebuild.batch_get_projects(names=names)["projects"] if names else []
    return [p["arn"] for p in projects if _ours(p.get("tags"), env)]


def pipelines(session, env):
    codepipeline = session.client("codepipeline")
    found = []
    for page in codepipeline.get_paginator("list_pipelines").paginate():
        for pipeline in page["pipelines"]:
            arn = codepipeline.get_pipeline(name=pipeline["name"])["metadata"]["pipelineArn"]
            if _ours(codepipeline.list_tags_for_resource(resourceArn=arn)["tags"], env):
                found.append(arn)
    return found


def elastic_ips(session, env):
    addresses = session.client("ec2").describe_addresses(
        Filters=[{"Name": "tag:Environment", "Values": [env]}, {"Name": "tag:ManagedBy", "Values": [MANAGED_BY]}]
    )["Addresses"]
    return [a["AllocationId"] for a in addresses]


def cloud_map(session, env):
    """The environment's Cloud Map namespaces and services (service discovery): by their tags, as everything else."""
    sd = session.client("servicediscovery")
    found = []
    for kind, key in (("list_namespaces", "Namespaces"), ("list_services", "Services")):
        for page in sd.get_paginator(kind).paginate():
            for item in page[key]:
                if _ours(sd.list_tags_for_resource(ResourceARN=item["Arn"])["Tags"], env):
                    found.append(item["Arn"])
    return found


CHECKS = (tagging_api, iam_roles, ecr_repositories, codebuild_projects, pipelines, elastic_ips, cloud_map)


def leftovers(session, env):
    return sorted({arn for check in CHECKS for arn in check(session, env)})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--region", default=None)
    parser.add_argument("--endpoint-url", default=None)
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    make_client = session.client

    @functools.cache
    def client(name):
        """One client per service for the whole scan, on the emulator when --endpoint-url says so."""
        return make_client(name, endpoint_url=args.endpoint_url)

    session.client = client
    remaining = leftovers(session, args.env)
    print(json.dumps({"environment": args.env, "remaining": remaining}, indent=2))
    return 1 if remaining else 0


if __name__ == "__main__":
    sys.exit(main())
