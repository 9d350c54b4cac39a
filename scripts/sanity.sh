#!/usr/bin/env bash
# ansible-test sanity on the collection. ansible-test wants the content under
# ansible_collections/<ns>/<name> with its dependencies beside it, so stage a copy of the files
# git knows (tracked and untracked-but-not-ignored) in a temporary collection root.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$here/.venv}
python=$venv/bin/python
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# The pip bootstrap ansible-test would download; version from the installed ansible-test.
pip_version=$("$python" -c "from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type('P', (), {'version': ''})())['pip'])")
cache=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$cache")"
cp "$here/scripts/get_pip_offline.py" "$cache"

dest=$root/ansible_collections/bluegreen/ecs
mkdir -p "$dest"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "{}" ] && echo "{}"' ) \
  | (cd "$here" && tar -cf - -T -) | tar -xf - -C "$dest"
for dep in amazon/aws community/aws; do
  src=$("$python" -c "import ansible_collections.${dep/\//.} as m; print(list(m.__path__)[0])")
  mkdir -p "$root/ansible_collections/$dep"
  cp -a "$src/." "$root/ansible_collections/$dep/"
done
cd "$dest"
py=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PATH=$venv/bin:$PATH "$venv/bin/ansible-test" sanity --color no --python "$py" "$@"
