"""The load balancers' data plane: listeners that listen, weighted forwarding, health checks, security groups."""

import http.client
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emulator import engine
from emulator.dataplane import balancers, network
from emulator.server import EmulatorServer

DEADLINE = 15.0


def eventually(check, timeout=DEADLINE, interval=0.02):
    """Poll ``check`` until it returns something truthy; fail with its last value after ``timeout``."""
    end = time.monotonic() + timeout
    value = None
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout} s (last value: {value!r})")


class Target:
    """A stand-in for a task: an HTTP server on its own interface's loopback address."""

    def __init__(self, vpc, subnet, private_ip, body=b"ok"):
        self.interface = network.BOOK.allocate("task", f"arn:task/{private_ip}", vpc, subnet, private_ip)
        self.status, self.body, self.hits, self.last_headers = 200, body, 0, None
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                target.hits += 1
                target.last_headers = dict(self.headers)
                self.send_response(target.status)
                self.send_header("Content-Length", str(len(target.body)))
                self.end_headers()
                self.wfile.write(target.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((self.interface.loopback, 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def ip(self):
        return self.interface.private_ip

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fast():
    engine.set_minute_seconds(0.6)  # 1 emulated second = 10 ms
    yield
    engine.set_minute_seconds(None)


@pytest.fixture
def targets():
    made = []

    def make(*args, **kwargs):
        made.append(Target(*args, **kwargs))
        return made[-1]

    yield make
    for target in made:
        target.close()


@pytest.fixture
def net(aws):
    """A VPC with a public subnet (NAT gateway) and an app subnet routed to it, and an open ALB security group."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    app = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=table, SubnetId=app)
    open_sg = security_group(ec2, vpc, "open", [("0.0.0.0/0", 8080)])
    return {"ec2": ec2, "elbv2": aws("elbv2"), "vpc": vpc, "subnets": [public, app], "app": app, "sg": open_sg,
            "nat_ip": eip["PublicIp"]}


def security_group(ec2, vpc, name, rules):
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    for cidr, port in rules:
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}],
        )
    return group


def balancer(net, name="alb", scheme="internet-facing", groups=None):
    lb = net["elbv2"].create_load_balancer(
        Name=name, Subnets=net["subnets"], SecurityGroups=groups or [net["sg"]], Scheme=scheme, Type="application"
    )["LoadBalancers"][0]
    return lb


def target_group(net, name, interval=5, healthy=2, unhealthy=2, **kwargs):
    return net["elbv2"].create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=8000,
        VpcId=net["vpc"],
        TargetType="ip",
        HealthCheckPath="/health",
        HealthCheckIntervalSeconds=interval,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=healthy,
        UnhealthyThresholdCount=unhealthy,
        **kwargs,
    )["TargetGroups"][0]["TargetGroupArn"]


def forward(weights):
    return [
        {
            "Type": "forward",
            "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in weights.items()]},
        }
    ]


def listener(net, lb, port, weights, protocol="HTTP", **kwargs):
    return net["elbv2"].create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol=protocol, Port=port, DefaultActions=forward(weights), **kwargs
    )["Listeners"][0]["ListenerArn"]


def register(net, group, *members):
    net["elbv2"].register_targets(TargetGroupArn=group, Targets=[{"Id": m.ip, "Port": m.port} for m in members])


def health(net, group, **kwargs):
    found = net["elbv2"].describe_target_health(TargetGroupArn=group, **kwargs)["TargetHealthDescriptions"]
    return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"] for d in found}


def states(net, group):
    return {key: value["State"] for key, value in health(net, group).items()}


def get(host, port, path="/", source=None, timeout=5):
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def refused(host, port, source=None):
    """True if the listener resets the connection (a security group does not admit the caller)."""
    try:
        get(host, port, source=source)
    except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError, http.client.RemoteDisconnected):
        return True
    return False


def listening(host, port):
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def healthy_blue_green(net, targets, blue_body=b"blue", green_body=b"green"):
    blue_tg, green_tg = target_group(net, "blue"), target_group(net, "green")
    blue = targets(net["vpc"], net["app"], "10.0.1.10", blue_body)
    green = targets(net["vpc"], net["app"], "10.0.1.11", green_body)
    register(net, blue_tg, blue)
    register(net, green_tg, green)
    return blue_tg, green_tg, blue, green


# -- addresses and listeners ------------------------------------------------------------------------------------


def test_each_balancer_has_its_own_loopback_address_as_dns_name(net, targets, fast):
    first, second = balancer(net, "first"), balancer(net, "second")
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    register(net, group, member)
    listener(net, first, 8080, {group: 1})
    listener(net, second, 8080, {group: 1})

    addresses = {first["DNSName"], second["DNSName"]}
    assert len(addresses) == 2
    assert all(network.BOOK.lookup(a).kind == "load-balancer" for a in addresses)
    assert all(a.startswith("127.") and a != "127.0.0.1" for a in addresses)
    assert not listening("127.0.0.1", 8080)
    described = net["elbv2"].describe_load_balancers(Names=["first"])["LoadBalancers"][0]
    assert described["DNSName"] == first["DNSName"]
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})
    for lb in (first, second):
        assert get(lb["DNSName"], 8080)[0] == 200


def test_forwarding_adds_the_alb_headers(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10", b"hello")
    register(net, group, member)
    listener(net, lb, 8080, {group: 1})
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})

    status, body, _ = get(lb["DNSName"], 8080, "/version")

    assert (status, body) == (200, b"hello")
    assert member.last_headers["X-Forwarded-For"] == network.client_public_ip()
    assert member.last_headers["X-Forwarded-Proto"] == "http"
    assert member.last_headers["X-Forwarded-Port"] == "8080"
    assert member.last_headers["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_the_balancer_node_has_an_elb_network_interface_until_deleted(net):
    lb = balancer(net)
    enis = net["ec2"].describe_network_interfaces(Filters=[{"Name": "description", "Values": ["ELB app/alb/*"]}])
    found = [e for e in enis["NetworkInterfaces"] if e["Description"].startswith("ELB app/alb/")]
    assert len(found) == 1
    assert found[0]["PrivateIpAddress"] == network.BOOK.lookup(lb["DNSName"]).private_ip

    net["elbv2"].delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])

    enis = net["ec2"].describe_network_interfaces()["NetworkInterfaces"]
    assert not [e for e in enis if (e.get("Description") or "").startswith("ELB app/alb/")]
    assert network.BOOK.lookup(lb["DNSName"]) is None


def test_listener_moves_with_modify_listener_and_stops_with_delete(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg")
    arn = listener(net, lb, 8080, {group: 1})
    assert listening(lb["DNSName"], 8080)

    net["elbv2"].modify_listener(ListenerArn=arn, Port=8081)

    assert listening(lb["DNSName"], 8081)
    assert not listening(lb["DNSName"], 8080)
    net["elbv2"].delete_listener(ListenerArn=arn)
    assert not listening(lb["DNSName"], 8081)


def test_a_second_listener_on_the_same_port_is_refused(net):
    lb = balancer(net)
    group = target_group(net, "tg")
    listener(net, lb, 8080, {group: 1})
    other = listener(net, lb, 8081, {group: 1})

    with pytest.raises(net["elbv2"].exceptions.DuplicateListenerException):
        listener(net, lb, 8080, {group: 1})
    with pytest.raises(net["elbv2"].exceptions.DuplicateListenerException):
        net["elbv2"].modify_listener(ListenerArn=other, Port=8080)


def test_everything_stops_with_the_emulator(reset, targets):
    reset()  # moto's backends are shared by every server in this process
    engine.set_minute_seconds(0.6)
    server = EmulatorServer(port=0, quiet=True)
    server.start()
    try:
        import boto3

        creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
        ec2 = boto3.client("ec2", endpoint_url=server.endpoint, **creds)
        elbv2 = boto3.client("elbv2", endpoint_url=server.endpoint, **creds)
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/24")["Subnet"]["SubnetId"]
        group = security_group(ec2, vpc, "open", [("0.0.0.0/0", 8080)])
        lb = elbv2.create_load_balancer(Name="stops", Subnets=[subnet], SecurityGroups=[group])["LoadBalancers"][0]
        tg = elbv2.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
        tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
        member = targets(vpc, subnet, "10.7.0.10")
        elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": member.ip, "Port": member.port}])
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=8080,
                              DefaultActions=forward({tg_arn: 1}))
        assert listening(lb["DNSName"], 8080)
        eventually(lambda: any(t.name == "elb-health-checks" for t in threading.enumerate()))
    finally:
        server.stop()
        engine.set_minute_seconds(None)

    assert not listening(lb["DNSName"], 8080)
    eventually(lambda: not [t for t in threading.enumerate() if t.name.startswith("elb-")])
