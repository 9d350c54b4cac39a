"""The loopback address book of emulated network interfaces (emulator/dataplane/network.py)."""

import ipaddress

from emulator.dataplane import network


def test_each_emulator_port_has_its_own_block():
    blocks = {network.block_for(port)[0] for port in (5000, 5100, 5110, 5120, 5130, 5200, 5310, 5340)}
    assert len(blocks) == 8
    for port in (0, 5000, 65535):
        first, last = network.block_for(port)
        assert first in ipaddress.ip_network("127.0.0.0/8") and last in ipaddress.ip_network("127.0.0.0/8")
        assert first != ipaddress.IPv4Address("127.0.0.1") and first.packed[1] >= 64


def test_allocate_lookup_release():
    book = network.AddressBook(5100)
    task = book.allocate("task", "arn:task/1", "vpc-1", "subnet-1", "10.0.1.5")
    fn = book.allocate("lambda", "arn:function:f", "vpc-1", "subnet-2", "10.0.2.9")
    assert task.loopback != fn.loopback
    assert str(network.block_for(5100)[0]) == task.loopback
    assert book.lookup(task.loopback) == task
    assert book.lookup("127.0.0.1") is None  # the internet
    assert book.by_private_ip("vpc-1", "10.0.2.9") == fn
    assert book.by_private_ip("vpc-2", "10.0.2.9") is None
    assert book.owned_by("arn:task/1") == [task]
    book.release(task.loopback)
    assert book.lookup(task.loopback) is None
    book.clear()
    assert book.lookup(fn.loopback) is None
