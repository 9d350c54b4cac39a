import io
import zipfile

from ansible_collections.bluegreen.ecs.plugins.modules import lambda_bundle


def test_same_sources_give_the_same_bytes_whatever_the_time():
    files = [("validation_hook.py", b"import http_check\n"), ("http_check.py", b"X = 1\n")]
    first = lambda_bundle.build(files)
    second = lambda_bundle.build(list(files))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["validation_hook.py", "http_check.py"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("http_check.py") == b"X = 1\n"


def test_a_changed_source_changes_the_bytes():
    assert lambda_bundle.build([("a.py", b"1")]) != lambda_bundle.build([("a.py", b"2")])
