# The two README commands and friends. Everything runs on a plain Debian machine without Docker.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help dev test lint fmt lock migrate bench chat backup restore services-stop clean audit infra-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: ## set up everything and run API, worker, bot (with a token) and the admin SPA
	@bash infra/local/dev.sh

test: ## set up everything and run every test suite (backend, bot, admin-web, e2e)
	@bash infra/local/test.sh

lint: ## ruff and mypy for backend and bot
	@bash infra/local/test.sh lint

fmt: ## format the Python code
	@cd backend && .venv/bin/ruff format . && .venv/bin/ruff check --fix .
	@cd bot && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

lock: ## re-resolve the pinned Python dependencies after editing a pyproject.toml
	@bash infra/local/lock.sh

migrate: ## apply database migrations to DATABASE_URL (env or .env)
	@cd backend && .venv/bin/alembic upgrade head

bench: ## run every benchmark under bench/ and print a summary table
	@bash bench/run.sh

chat: ## talk to the real bot in this terminal through a local Telegram emulator
	@bash infra/local/chat.sh

backup: ## dump the PostgreSQL database to backups/ (custom format)
	@bash infra/local/backup.sh backup

restore: ## restore the newest (or FILE=...) dump into DATABASE_URL (asks to confirm unless FORCE=1)
	@bash infra/local/backup.sh restore $(FILE)

audit: ## known vulnerabilities in the pinned dependencies (pip-audit, npm audit; infra/audit-allowlist.md)
	@bash infra/local/audit.sh

infra-check: ## validate docker-compose.yml, Dockerfiles, nginx, Prometheus, Alertmanager, CI, scripts
	@bash infra/local/check-infra.sh

services-stop: ## stop the local PostgreSQL and Redis of make dev
	@bash infra/local/services.sh stop dev

clean: ## remove virtualenvs, node_modules and local data
	rm -rf .tools backend/.venv bot/.venv admin-web/node_modules admin-web/dist .data
