# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Lambda deployment package that is byte-for-byte the same for the same files, and its CodeSha256. Shared by the
lambda_bundle module (which writes the zip) and the lambda_bundle_sha256 filter (which tells a role, without a module
run, whether the live function already has that code: issue 15, converge time)."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

# zipfile's earliest date; any fixed value works, this one says "not a real time".
_EPOCH = (1980, 1, 1, 0, 0, 0)


def build(files):
    """The zip's bytes: each (name, content) with a fixed date and mode 0644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def code_sha256(data):
    """Base64 SHA-256 of ``data``, as Lambda reports it in CodeSha256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def read_files(files):
    """``[(name, content)]`` of lambda_bundle's ``files`` option (``src``, ``name``), in order; OSError propagates."""
    contents = []
    for item in files:
        with open(item["src"], "rb") as handle:
            contents.append((item["name"], handle.read()))
    return contents


def bundle_sha256(files):
    """The CodeSha256 of the zip lambda_bundle would write for ``files``."""
    return code_sha256(build(read_files(files)))
