"""scripts/leftovers.py lists the environment's Cloud Map namespace and services (service discovery), by their tags."""

from tests.emulator.test_leftovers import OURS, leftovers  # noqa: F401 - the fixture


def test_lists_the_environments_cloud_map_namespace_and_services_only(aws, leftovers):  # noqa: F811
    sd = aws("servicediscovery")
    vpc = aws("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sd.create_private_dns_namespace(Name="prd.demo.internal", Vpc=vpc, Tags=OURS)
    other = aws("ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]  # another environment's VPC
    sd.create_private_dns_namespace(Name="stg.demo.internal", Vpc=other, Tags=[dict(OURS[0], Value="stg"), OURS[1]])
    namespace = next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "prd.demo.internal")
    service = sd.create_service(
        Name="api", NamespaceId=namespace["Id"], DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]}, Tags=OURS
    )

    code, remaining = leftovers()
    assert code == 1
    assert remaining == sorted([namespace["Arn"], service["Service"]["Arn"]])

    sd.delete_service(Id=service["Service"]["Id"])
    sd.delete_namespace(Id=namespace["Id"])
    assert leftovers() == (0, [])
