"""scripts/role_docs.py: README variable tables generated from meta/argument_specs.yml, and --check."""

import importlib.util
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "role_docs.py")

spec = importlib.util.spec_from_file_location("role_docs", SCRIPT)
role_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(role_docs)

SPECS = {
    "argument_specs": {
        "main": {
            "short_description": "A demo role.",
            "options": {
                "demo_state": {
                    "type": "str",
                    "default": "present",
                    "choices": ["present", "absent"],
                    "description": "V(absent) removes it.",
                },
                "demo_items": {"type": "list", "elements": "dict", "default": [], "description": ["One.", "Two."]},
                "demo_name": {"type": "str", "default": "", "description": "Empty derives it."},
                "bluegreen_env": {"type": "str", "required": True, "description": "Environment (global)."},
            },
        }
    }
}


def make_role(tmp_path, specs=None, readme=None):
    specs = SPECS if specs is None else specs
    role = tmp_path / "roles" / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump(specs))
    text = (
        readme
        if readme is not None
        else f"# demo\n\n## Role Variables\n\n{role_docs.BEGIN}\n{role_docs.END}\n\nMore.\n"
    )
    (role / "README.md").write_text(text)
    return role


def run(tmp_path, *args):
    return role_docs.main([*args, "--roles", str(tmp_path / "roles")])


def test_generates_the_table_between_the_markers(tmp_path):
    role = make_role(tmp_path)
    assert run(tmp_path) == 0
    text = (role / "README.md").read_text()
    assert text.startswith("# demo\n\n## Role Variables\n\n" + role_docs.BEGIN + "\n")
    assert text.endswith(role_docs.END + "\n\nMore.\n")
    assert "| `demo_state` | str | `present` | `present`, `absent` | `absent` removes it. |" in text
    assert "| `demo_items` | list of dict | `[]` |  | One. Two. |" in text
    assert '| `demo_name` | str | `""` |  | Empty derives it. |' in text
    # Globals go to their own table, after the role's own variables.
    assert text.index("Read from the inventory") < text.index("| `bluegreen_env` | str | required |")
    assert text.index("`demo_items`") < text.index("Read from the inventory")


def test_generation_is_idempotent(tmp_path):
    role = make_role(tmp_path)
    run(tmp_path)
    first = (role / "README.md").read_text()
    assert run(tmp_path) == 0
    assert (role / "README.md").read_text() == first
    assert run(tmp_path, "--check") == 0


def test_check_fails_on_a_stale_table_and_writes_nothing(tmp_path, capsys):
    role = make_role(tmp_path)
    run(tmp_path)
    specs = yaml.safe_load(yaml.safe_dump(SPECS))
    specs["argument_specs"]["main"]["options"]["demo_new"] = {"type": "int", "default": 3, "description": "New."}
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump(specs))
    before = (role / "README.md").read_text()
    assert run(tmp_path, "--check") == 1
    assert (role / "README.md").read_text() == before
    assert "README.md: stale" in capsys.readouterr().err
    assert run(tmp_path) == 0
    assert "| `demo_new` | int | `3` |  | New. |" in (role / "README.md").read_text()


def test_a_hand_edit_inside_the_markers_is_stale(tmp_path):
    role = make_role(tmp_path)
    run(tmp_path)
    readme = role / "README.md"
    readme.write_text(readme.read_text().replace("One. Two.", "Edited by hand."))
    assert run(tmp_path, "--check") == 1


def test_a_readme_without_markers_fails_naming_them(tmp_path, capsys):
    make_role(tmp_path, readme="# demo\n")
    assert run(tmp_path, "--check") == 1
    assert role_docs.BEGIN in capsys.readouterr().err


def test_a_role_with_specs_but_no_readme_fails(tmp_path):
    role = make_role(tmp_path)
    (role / "README.md").unlink()
    assert run(tmp_path, "--check") == 1


@pytest.mark.parametrize(
    ("doc", "cell"),
    [
        ("O(alb_state=absent) and C(x|y)", "`alb_state=absent` and `x\\|y`"),
        ("I(italic), B(bold), L(AWS,https://aws.amazon.com)", "*italic*, **bold**, [AWS](https://aws.amazon.com)"),
        ("names <env>-<project>-vpc, C(<env>-vpc)", "names &lt;env&gt;-&lt;project&gt;-vpc, `<env>-vpc`"),
        ("URL(x) stays, ECS(y) too", "URL(x) stays, ECS(y) too"),
        ("two\n  lines", "two lines"),
    ],
)
def test_markdown_of_ansible_markup(doc, cell):
    assert role_docs.markdown(doc) == cell


def test_entry_points_other_than_main_get_their_own_heading(tmp_path):
    specs = yaml.safe_load(yaml.safe_dump(SPECS))
    specs["argument_specs"]["names"] = {"short_description": "Names only.", "options": {"demo_x": {"type": "str"}}}
    specs["argument_specs"]["account"] = {"short_description": "Who calls.", "options": {}}
    text = role_docs.render("demo", specs)
    assert text.index("| `demo_state`") < text.index("Entry point `names`") < text.index("| `demo_x`")
    assert "Entry point `account` (`tasks_from: account`): Who calls.\n\nNo variables.\n" in text


def test_command_line_check_exit_status(tmp_path):
    make_role(tmp_path)
    command = [sys.executable, SCRIPT, "--check", "--roles", str(tmp_path / "roles")]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 1
    subprocess.run([sys.executable, SCRIPT, "--roles", str(tmp_path / "roles")], check=True)
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
