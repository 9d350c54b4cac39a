#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_bundle
short_description: Build a Lambda deployment package (zip) that is byte-for-byte the same for the same files
version_added: 1.0.0
description:
  - Writes O(dest), a zip of O(files) with fixed timestamps and permissions, in the order given, so the
    same sources always give the same bytes and the same C(CodeSha256). M(amazon.aws.lambda) then uploads
    code only when a source changed, from any checkout on any machine.
  - Rewrites O(dest) only when its bytes would differ. In check mode it reports what it would do and writes nothing.
options:
  files:
    description:
      - The files of the package, in the order they are written to the zip.
    type: list
    elements: dict
    required: true
    suboptions:
      src:
        description:
          - Path of the file on the host.
        type: path
        required: true
      name:
        description:
          - Its name in the zip (the Lambda handler imports it by this name).
        type: str
        required: true
  dest:
    description:
      - Path of the zip to write; its directory is created if needed.
    type: path
    required: true
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
"""

EXAMPLES = r"""
- name: Package the validation function
  bluegreen.ecs.lambda_bundle:
    files:
      - src: "{{ role_path }}/files/validation_hook.py"
        name: validation_hook.py
    dest: /tmp/hook.zip
"""

RETURN = r"""
dest:
  description: Path of the zip.
  returned: always
  type: str
  sample: /tmp/hook.zip
code_sha256:
  description: Base64 SHA-256 of the zip, as Lambda reports it in C(CodeSha256).
  returned: always
  type: str
  sample: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bluegreen.ecs.plugins.module_utils.lambda_zip import build, code_sha256


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(src=dict(type="path", required=True), name=dict(type="str", required=True)),
            ),
            dest=dict(type="path", required=True),
        ),
        supports_check_mode=True,
    )
    contents = []
    for item in module.params["files"]:
        try:
            with open(item["src"], "rb") as handle:
                contents.append((item["name"], handle.read()))
        except OSError as e:
            module.fail_json(msg=f"files: cannot read {item['src']}: {e}")
    data = build(contents)
    dest = module.params["dest"]
    current = None
    if os.path.exists(dest):
        with open(dest, "rb") as handle:
            current = handle.read()
    changed = current != data
    if changed and not module.check_mode:
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        with open(dest + ".tmp", "wb") as handle:
            handle.write(data)
        os.replace(dest + ".tmp", dest)
    module.exit_json(changed=changed, dest=dest, code_sha256=code_sha256(data))


if __name__ == "__main__":
    main()
