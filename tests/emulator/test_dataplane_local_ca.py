"""The emulator's local CA is one per state directory, shared by every process that issues or trusts it."""

import stat

from emulator.dataplane import balancers


def _fresh(monkeypatch, state_dir):
    monkeypatch.setenv("EMULATOR_STATE_DIR", str(state_dir))
    monkeypatch.setattr(balancers, "_CA", [])


def test_a_second_process_loads_the_ca_instead_of_overwriting_it(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    first = balancers.ca_pem()
    cert_pem, _key_pem = balancers._issue(["db.local"])
    _fresh(monkeypatch, tmp_path)  # what another process sees: nothing in memory, the same state dir
    assert balancers.ca_pem() == first
    assert balancers.ca_file().read_bytes() == first
    # a certificate issued by the first process still verifies against the file the second one left
    from cryptography import x509  # noqa: PLC0415

    issued = x509.load_pem_x509_certificate(cert_pem)
    issued.verify_directly_issued_by(x509.load_pem_x509_certificate(balancers.ca_file().read_bytes()))


def test_state_dirs_have_their_own_ca_and_the_key_is_private(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path / "a")
    a = balancers.ca_pem()
    _fresh(monkeypatch, tmp_path / "b")
    assert balancers.ca_pem() != a
    key = balancers.ca_file().with_suffix(".key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
