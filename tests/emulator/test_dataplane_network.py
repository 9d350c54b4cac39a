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


def test_two_emulators_whose_ports_share_a_block_get_different_blocks():
    port = 5101
    first = network.AddressBook(port)
    second = network.AddressBook(port + network.BLOCKS)  # same preferred block
    a = first.allocate("task", "arn:task/a", "vpc-1", "subnet-1", "10.0.1.5")
    b = second.allocate("task", "arn:task/b", "vpc-1", "subnet-1", "10.0.1.5")
    assert ipaddress.ip_address(a.loopback) in ipaddress.ip_network(f"{first.block()[0]}/16", strict=False)
    assert first.block() != second.block()
    assert a.loopback != b.loopback
    first.configure(0)  # lets its block go (as a stopped emulator's process does)
    second.configure(0)
    again = network.AddressBook(port)
    assert again.allocate("task", "arn:task/c", "vpc-1", "subnet-1", "10.0.1.5").loopback == a.loopback


def test_a_book_claims_no_block_until_it_needs_one():
    book = network.AddressBook(5102)
    assert book._claim is None
    book.allocate("task", "arn:task/a", "vpc-1", "subnet-1", "10.0.1.5")
    assert book._claim is not None


def test_allocate_lookup_release():
    book = network.AddressBook(5100)
    task = book.allocate("task", "arn:task/1", "vpc-1", "subnet-1", "10.0.1.5")
    fn = book.allocate("lambda", "arn:function:f", "vpc-1", "subnet-2", "10.0.2.9")
    assert task.loopback != fn.loopback
    assert str(book.block()[0]) == task.loopback
    assert book.lookup(task.loopback) == task
    assert book.lookup("127.0.0.1") is None  # the internet
    assert book.by_private_ip("vpc-1", "10.0.2.9") == fn
    assert book.by_private_ip("vpc-2", "10.0.2.9") is None
    assert book.owned_by("arn:task/1") == [task]
    book.release(task.loopback)
    assert book.lookup(task.loopback) is None
    book.clear()
    assert book.lookup(fn.loopback) is None
