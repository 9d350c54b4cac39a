"""Make ``ansible_collections.bluegreen.ecs`` importable from this checkout.

The ansible package puts amazon.aws and community.aws under the ``ansible_collections`` namespace
in site-packages; ``.collections`` (made by ``make venv``) adds bluegreen.ecs to the same namespace.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = os.path.join(ROOT, ".collections", "ansible_collections", "bluegreen", "ecs")

if not os.path.exists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(os.path.join("..", "..", ".."), LINK)
sys.path.insert(0, os.path.join(ROOT, ".collections"))
sys.path.insert(0, ROOT)
