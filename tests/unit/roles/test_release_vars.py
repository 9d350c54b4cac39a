# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release role's derived values (vars/main.yml), rendered by ansible-core's own templar.

Plain jinja2 is not enough here: it decodes a string literal's backslash escapes ('\\\\s' -> '\\s'); in a template inside
a YAML value Ansible keeps them as written, so a pattern right under jinja2 reached the release module with a literal
backslash (the first ECS release validated from the controller never matched green's /version).
"""

import json
import os
import re

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VARS = os.path.join(ROOT, "roles", "release", "vars", "main.yml")


def _validation(**given):
    """The controller's check (``_release_validation``) as the role hands it to the release module."""
    loader = DataLoader()
    role_vars = loader.load_from_file(VARS, trusted_as_template=True)
    templar = Templar(loader=loader, variables={**role_vars, **given})
    return templar.template(role_vars["_release_validation"])


def _version_body(version):
    """What the app's /version answers (app/web.py version_route), as json.dumps writes it."""
    return json.dumps({"version": version, "git_commit": "abc1234", "build_time": "2026-01-01T00:00:00Z"})


def test_default_body_pattern_matches_green_and_not_blue():
    pattern = _validation(app_image_tag="1.0.0")["body_pattern"]
    assert re.search(pattern, _version_body("1.0.0")), pattern
    assert not re.search(pattern, _version_body("bootstrap")), pattern
    assert not re.search(pattern, _version_body("1x0x0")), pattern  # the tag's dots are escaped


def test_default_body_pattern_is_the_codedeploy_layers_default():
    # The release checks what the codedeploy layer's function checks when that layer's setting is not in scope.
    loader = DataLoader()
    defaults = loader.load_from_file(os.path.join(ROOT, "roles", "codedeploy", "defaults", "main.yml"))
    own = _validation(app_image_tag="2.0.0")["body_pattern"]
    given = {
        "app_image_tag": "2.0.0",
        "codedeploy_validation_body_pattern": defaults["codedeploy_validation_body_pattern"],
    }
    layer = _validation(**given)["body_pattern"]
    assert own == layer == r'"version":\s*"2\.0\.0"'
