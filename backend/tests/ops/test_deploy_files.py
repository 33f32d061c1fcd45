"""The production files agree with the code: paths exist, metric names are real, alerts are documented.

`infra/local/check-infra.sh` runs the real parsers (docker compose, nginx -t, promtool, hadolint); these
tests guard what those tools cannot know about this project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import Counter, Gauge, Histogram

from app import metrics

ROOT = Path(__file__).resolve().parents[3]
# prometheus-fastapi-instrumentator's default metrics, and Prometheus' own.
INSTRUMENTATOR_METRICS = {
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_count",
    "http_request_duration_seconds_sum",
    "up",
}
REQUIRED_ALERTS = {
    "ApiDown",
    "ApiHigh5xxRate",
    "PanelDown",
    "JobFailures",
    "WebhookSignatureFailures",
    "PaymentProviderErrors",
    "WorkerHeartbeatStale",
}


def load_yaml(relative: str) -> Any:
    """A YAML file of the repository."""
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def exported_metric_names() -> set[str]:
    """Every series name the app's own metrics produce."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names.add(f"{value._name}_total")
        elif isinstance(value, Histogram):
            names.update(f"{value._name}_{suffix}" for suffix in ("bucket", "count", "sum"))
        elif isinstance(value, Gauge):
            names.add(value._name)
    return names


def metric_names_in(expr: str) -> set[str]:
    """Metric names used in a PromQL expression (ours and the instrumentator's)."""
    names = set(re.findall(r"\b(vpnshop_[a-z_]+|http_[a-z_]+)\b", expr))
    return names | ({"up"} if re.search(r"\bup\{", expr) else set())


def compose() -> dict[str, Any]:
    """docker-compose.yml."""
    data: dict[str, Any] = load_yaml("docker-compose.yml")
    return data


def dockerfile_copy_sources(path: Path) -> list[str]:
    """Sources of the COPY instructions that read the build context (not another stage)."""
    sources: list[str] = []
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] != "COPY" or any(p.startswith("--from") for p in parts):
            continue
        sources.extend(p for p in parts[1:-1] if not p.startswith("--"))
    return sources


class TestCompose:
    def test_every_long_running_service_restarts_is_limited_and_logs_with_rotation(self) -> None:
        for name, service in compose()["services"].items():
            assert service.get("restart") == "unless-stopped", name
            assert service["deploy"]["resources"]["limits"]["memory"], name
            assert service["logging"]["options"]["max-size"], name

    def test_stateful_and_serving_services_have_healthchecks_and_start_in_order(self) -> None:
        services = compose()["services"]
        for name in ("postgres", "redis", "api", "worker", "admin-web", "backup"):
            assert services[name]["healthcheck"]["test"], name
        assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services["api"]["depends_on"]["redis"]["condition"] == "service_healthy"
        for name in ("worker", "bot", "admin-web"):
            assert services[name]["depends_on"]["api"]["condition"] == "service_healthy", name

    def test_data_lives_in_volumes_and_only_nginx_is_published(self) -> None:
        data = compose()
        services = data["services"]
        assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
        assert "redisdata:/data" in services["redis"]["volumes"]
        assert "backups:/backups" in services["backup"]["volumes"]
        assert services["postgres"]["image"].startswith("postgres:16")
        assert services["redis"]["image"].startswith("redis:7")
        assert "--appendonly" in services["redis"]["command"]
        published = {name for name, s in services.items() if "ports" in s}
        assert published == {"admin-web", "prometheus", "alertmanager", "grafana"}
        for name in ("prometheus", "alertmanager", "grafana"):
            assert all(p.startswith("127.0.0.1:") for p in services[name]["ports"]), name
            assert services[name]["profiles"] == ["monitoring"], name

    def test_api_migrates_then_serves_behind_the_proxy(self) -> None:
        api = compose()["services"]["api"]
        command = " ".join(api["command"])
        assert command.index("python -m app.cli migrate") < command.index("exec uvicorn app.main:create_app")
        assert "--loop uvloop" in command and "--http httptools" in command
        assert api["environment"]["TRUST_PROXY_HEADERS"] == "true"
        assert api["environment"]["ENVIRONMENT"] == "production"
        assert "/readyz" in " ".join(api["healthcheck"]["test"])
        assert api["env_file"] == [{"path": ".env", "required": True}]

    def test_the_bot_idles_without_a_token(self) -> None:
        command = " ".join(compose()["services"]["bot"]["command"])
        assert 'if [ -z "$${TELEGRAM_BOT_TOKEN:-}" ]' in command
        assert command.rstrip().endswith("exec python -m bot")

    def test_the_worker_exposes_the_port_prometheus_scrapes(self) -> None:
        worker = compose()["services"]["worker"]
        port = worker["environment"]["WORKER_METRICS_PORT"]
        scrape = {
            job["job_name"]: job for job in load_yaml("infra/prometheus/prometheus.yml")["scrape_configs"]
        }
        assert scrape["worker"]["dns_sd_configs"][0]["port"] == int(port)
        assert scrape["worker"]["honor_labels"] is True
        assert scrape["api"]["dns_sd_configs"][0]["port"] == 8000

    def test_referenced_files_exist(self) -> None:
        operator_provided = {"./ssl", "./ssl/acme"}
        for name, service in compose()["services"].items():
            if "build" in service:
                assert (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).is_file(), name
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("./") and source not in operator_provided:
                    assert (ROOT / source).exists(), f"{name}: {source}"

    def test_every_compose_variable_is_documented_in_env_example(self) -> None:
        text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
        used = set(re.findall(r"\$\{([A-Z_]+)", text))
        documented = set(
            re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
        )
        assert used <= documented, used - documented


class TestImages:
    @pytest.mark.parametrize("dockerfile", ["backend", "bot", "admin-web"])
    def test_copied_paths_exist(self, dockerfile: str) -> None:
        for source in dockerfile_copy_sources(ROOT / "infra" / "docker" / f"{dockerfile}.Dockerfile"):
            # The SPA's project files come with admin-web/ itself (the web branch's contract with
            # make dev: package.json, package-lock.json, `npm run build` into dist/).
            if source.startswith("admin-web/") and not (ROOT / "admin-web").exists():
                assert source in {"admin-web/", "admin-web/package.json", "admin-web/package-lock.json"}
                continue
            assert (ROOT / source).exists(), source

    @pytest.mark.parametrize("dockerfile", ["backend", "bot"])
    def test_python_images_are_small_non_root_and_pinned(self, dockerfile: str) -> None:
        text = (ROOT / "infra" / "docker" / f"{dockerfile}.Dockerfile").read_text(encoding="utf-8")
        runtime = text[text.index("AS runtime") :]
        assert "python:3.11-slim" in text
        assert "requirements.lock" in text and "--no-deps" in text
        assert re.search(r"^USER 10001", runtime, re.M)
        for forbidden in ("tests", "fakes", "gcc", "build-essential", "requirements-dev"):
            assert forbidden not in runtime, forbidden

    def test_spa_image_builds_with_npm_ci_and_serves_with_unprivileged_nginx(self) -> None:
        text = (ROOT / "infra" / "docker" / "admin-web.Dockerfile").read_text(encoding="utf-8")
        assert "FROM node:20" in text
        assert "npm ci" in text and "npm run build" in text
        assert re.search(r"^FROM nginxinc/nginx-unprivileged:[\d.]+-alpine AS runtime", text, re.M)

    def test_build_context_leaves_out_tests_fakes_and_secrets(self) -> None:
        ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
        assert {
            "backend/tests",
            "backend/fakes",
            "bot/tests",
            ".env",
            "**/.venv",
            "**/node_modules",
        } <= ignored


class TestNginx:
    def test_public_surface(self) -> None:
        conf = (ROOT / "infra" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
        assert re.search(r"location = /metrics \{\s*return 404;", conf)
        webhooks = conf[conf.index("location /api/v1/webhooks/") :]
        assert re.search(r"client_max_body_size (\d+)k;", webhooks[: webhooks.index("}")])
        for path in ("location /api/", "location /sub/", "openapi\\.json", "docs", "return 301 https://"):
            assert path in conf, path
        assert "immutable" in conf and "gzip on;" in conf
        assert "/etc/nginx/ssl/fullchain.pem" in conf and "/etc/nginx/ssl/privkey.pem" in conf

    def test_every_location_that_adds_headers_keeps_hsts(self) -> None:
        snippets = ROOT / "infra" / "nginx" / "snippets"
        assert "Strict-Transport-Security" in (snippets / "hsts.conf").read_text(encoding="utf-8")
        for name in ("spa-headers.conf", "proxy-api.conf"):
            assert "include /etc/nginx/snippets/hsts.conf;" in (snippets / name).read_text(encoding="utf-8")
        conf = (ROOT / "infra" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
        for block in re.findall(r"location [^{]+\{([^}]*)\}", conf):
            if "add_header" in block:
                assert "snippets/spa-headers.conf" in block, block


class TestMonitoring:
    def test_alerts_use_real_metrics_and_are_documented(self) -> None:
        known = exported_metric_names() | INSTRUMENTATOR_METRICS
        docs = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
        names = set()
        for group in load_yaml("infra/prometheus/alerts.yml")["groups"]:
            for rule in group["rules"]:
                names.add(rule["alert"])
                assert metric_names_in(rule["expr"]) <= known, (rule["alert"], metric_names_in(rule["expr"]))
                assert rule["labels"]["severity"] in {"warning", "critical"}
                assert rule["annotations"]["summary"] and rule["annotations"]["description"]
                assert f"`{rule['alert']}`" in docs, f"docs/operations.md does not explain {rule['alert']}"
        assert names >= REQUIRED_ALERTS

    def test_dashboard_queries_use_real_metrics_and_the_provisioned_datasource(self) -> None:
        known = exported_metric_names() | INSTRUMENTATOR_METRICS
        datasource = load_yaml("infra/grafana/provisioning/datasources/prometheus.yml")["datasources"][0]
        dashboard = json.loads((ROOT / "infra/grafana/dashboards/vpnshop.json").read_text(encoding="utf-8"))
        panels = [p for p in dashboard["panels"] if p["type"] != "row"]
        assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
        used: set[str] = set()
        for panel in panels:
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            for target in panel["targets"]:
                assert metric_names_in(target["expr"]) <= known, (panel["title"], target["expr"])
                used |= metric_names_in(target["expr"])
        # Every business metric and the per-route latency are on the dashboard.
        for series in exported_metric_names():
            family = re.sub(r"_(bucket|count|sum)$", "", series)
            assert any(u.startswith(family) for u in used), series
        assert "http_request_duration_seconds_bucket" in used

    def test_the_dashboard_is_where_grafana_provisions_from(self) -> None:
        provider = load_yaml("infra/grafana/provisioning/dashboards/vpnshop.yml")["providers"][0]
        grafana = compose()["services"]["grafana"]
        assert f"./infra/grafana/dashboards:{provider['options']['path']}:ro" in grafana["volumes"]
        home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        assert home == f"{provider['options']['path']}/vpnshop.json"

    def test_alertmanager_placeholders_are_all_rendered(self) -> None:
        template = (ROOT / "infra/alertmanager/alertmanager.yml").read_text(encoding="utf-8")
        render = (ROOT / "infra/alertmanager/render.sh").read_text(encoding="utf-8")
        placeholders = set(re.findall(r"__[A-Z_]+__", template))
        assert placeholders == set(re.findall(r"s\|(__[A-Z_]+__)\|", render))
        assert {r["name"] for r in yaml.safe_load(template)["receivers"]} == {"telegram", "none"}


class TestAutomation:
    def test_ci_workflow_runs_what_ci_runs(self) -> None:
        workflow = load_yaml(".github/workflows/ci.yml")
        test_steps = [s.get("run", "") for s in workflow["jobs"]["test"]["steps"]]
        assert "bash .ci/run" in test_steps
        assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert any("make audit" in s.get("run", "") for s in workflow["jobs"]["audit"]["steps"])
        installs = " ".join(test_steps)
        for package in ("postgresql", "redis-server", "chromium"):
            assert package in installs

    def test_make_targets_call_scripts_that_exist(self) -> None:
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        for target in ("backup", "restore", "audit", "infra-check"):
            recipe = re.search(rf"^{target}:.*\n\t@?(.+)$", makefile, re.M)
            assert recipe is not None, target
            script = re.search(r"bash (\S+\.sh)", recipe.group(1))
            assert script is not None and (ROOT / script.group(1)).is_file(), target

    def test_pre_commit_runs_the_linters_of_ci(self) -> None:
        hooks = {h["id"]: h for repo in load_yaml(".pre-commit-config.yaml")["repos"] for h in repo["hooks"]}
        assert {
            "backend-ruff",
            "backend-ruff-format",
            "backend-mypy",
            "bot-ruff",
            "bot-mypy",
            "shellcheck",
        } <= set(hooks)
        assert "mypy app fakes" in hooks["backend-mypy"]["entry"]
        assert "mypy bot" in hooks["bot-mypy"]["entry"]
