# syntax=docker/dockerfile:1
# nginx serving the built admin SPA and proxying the API (TLS, security headers, caching).
# Build from the repository root: docker build -f infra/docker/admin-web.Dockerfile .

# --- build: the SPA with the locked npm packages (npm 11: npm 10 cannot install this tree) ------
FROM node:20-bookworm-slim AS build
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
RUN npm install --global npm@11
WORKDIR /src
COPY admin-web/package.json admin-web/package-lock.json ./
RUN npm ci
COPY admin-web/ ./
# Same origin: the SPA calls /api on the host that served it.
ENV VITE_API_BASE_URL=""
RUN npm run build

# --- runtime: unprivileged nginx (uid 101, ports 8080/8443) with our configuration ---------------
FROM nginxinc/nginx-unprivileged:1.28-alpine AS runtime
LABEL org.opencontainers.image.title="vpnshop-admin-web" \
      org.opencontainers.image.licenses="MIT"
COPY infra/nginx/nginx.conf /etc/nginx/nginx.conf
COPY infra/nginx/snippets/ /etc/nginx/snippets/
COPY --from=build /src/dist/ /usr/share/nginx/html/
EXPOSE 8080 8443
