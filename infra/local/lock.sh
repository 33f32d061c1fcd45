#!/usr/bin/env bash
# Re-resolves the pinned dependency files from each pyproject.toml (run after changing dependencies).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$ROOT/infra/local/setup.sh" python >/dev/null 2>&1 || true
[ -x "$TOOLS/uv/bin/uv" ] || { python3 -m venv "$TOOLS/uv" && "$TOOLS/uv/bin/pip" install -q 'uv>=0.5,<1'; }
for project in backend bot; do
  (cd "$ROOT/$project" &&
    "$TOOLS/uv/bin/uv" pip compile -q --python-version 3.11 pyproject.toml --extra dev -o requirements-dev.lock &&
    "$TOOLS/uv/bin/uv" pip compile -q --python-version 3.11 pyproject.toml -o requirements.lock)
  log "locked $project"
done
