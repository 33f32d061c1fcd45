#!/usr/bin/env bash
# `make audit`: known vulnerabilities in the pinned dependencies.
#   Python: pip-audit over backend/ and bot/ requirements.lock (what the images install)
#   npm:    npm audit of admin-web (high and critical)
# Advisories listed in infra/audit-allowlist.md (with a reason and a review date) are ignored until
# that date; an expired entry fails the audit so it gets looked at again.
# Needs the network (PyPI's advisory data, the npm registry): it runs in its own CI job, not in make test.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ALLOWLIST="$ROOT/infra/audit-allowlist.md"
AUDIT_VENV="$TOOLS/audit"
PIP_AUDIT_VERSION="pip-audit==2.10.1"

# IDs of allow-list rows still within their review date; fails on rows past it.
allowed_ids() {
  python3 - "$ALLOWLIST" <<'PY'
import datetime, re, sys
today = datetime.date.today()
expired = []
for line in open(sys.argv[1], encoding="utf-8"):
    cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
    if len(cells) < 4 or not re.fullmatch(r"(PYSEC|GHSA|CVE|OSV)-[\w-]+", cells[0]):
        continue
    review_by = datetime.date.fromisoformat(cells[3])
    if review_by < today:
        expired.append(f"{cells[0]} (review by {review_by})")
    else:
        print(cells[0])
if expired:
    sys.exit("allow-list entries past their review date: " + ", ".join(expired))
PY
}

allowed_ids >/dev/null || die "fix infra/audit-allowlist.md"
mapfile -t ALLOWED < <(allowed_ids)

bash "$ROOT/infra/local/setup.sh" python >/dev/null
if [ ! -x "$AUDIT_VENV/bin/pip-audit" ]; then
  "$TOOLS/uv/bin/uv" venv -q --python python3 "$AUDIT_VENV"
  VIRTUAL_ENV="$AUDIT_VENV" "$TOOLS/uv/bin/uv" pip install -q "$PIP_AUDIT_VERSION"
fi

failed=()
ignore=()
for id in "${ALLOWED[@]}"; do ignore+=(--ignore-vuln "$id"); done
for project in backend bot; do
  log "pip-audit $project/requirements.lock"
  "$AUDIT_VENV/bin/pip-audit" --progress-spinner off --no-deps --disable-pip \
    -r "$ROOT/$project/requirements.lock" "${ignore[@]}" || failed+=("$project")
done

if [ -f "$ROOT/admin-web/package-lock.json" ]; then
  log "npm audit admin-web"
  report="$(cd "$ROOT/admin-web" || exit 1; npm audit --json --audit-level=high 2>/dev/null || true)"
  printf '%s' "$report" | python3 -c '
import json, re, sys
allowed = set(sys.argv[1:])
report = json.load(sys.stdin)
if "error" in report:
    sys.exit(f"npm audit failed: {report[\"error\"].get(\"summary\", report[\"error\"])}")
bad = []
for name, vuln in report.get("vulnerabilities", {}).items():
    if vuln.get("severity") not in ("high", "critical"):
        continue
    ids = {m.group(0) for via in vuln.get("via", []) if isinstance(via, dict)
           for m in [re.search(r"GHSA-[\w-]+", via.get("url", ""))] if m}
    if not ids or not ids <= allowed:
        bad.append(f"{name} ({vuln[\"severity\"]}): {\", \".join(sorted(ids)) or \"via \" + \", \".join(map(str, vuln.get(\"via\", [])))}")
for line in bad:
    print("  " + line)
sys.exit(1 if bad else 0)
' "${ALLOWED[@]}" || failed+=("admin-web")
fi

if [ ${#failed[@]} -gt 0 ]; then
  log "vulnerable dependencies in: ${failed[*]} (upgrade, or add a reasoned entry to infra/audit-allowlist.md)"
  exit 1
fi
log "no known vulnerabilities (allow-listed: ${#ALLOWED[@]})"
