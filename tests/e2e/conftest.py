"""End-to-end tests: ansible-playbook against a private emulator (see test_release_e2e.py)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "e2e: end to end through ansible-playbook and a private emulator (about 2 minutes); -m 'not e2e' skips",
    )
