# syntax=docker/dockerfile:1
# The image of every Node service (npm workspaces). Build from the repository root, naming the
# service; HTTP services take the `server` target and their port, the archiver the `job` target:
#   docker build --build-arg SERVICE=order --build-arg PORT=3003 --target server -t order .
#   docker build --build-arg SERVICE=archiver --target job -t archiver .
# docker-compose.yml and the CI image matrix name each service's target and arguments.
ARG NODE_IMAGE=node:24-alpine

# --- manifests: every workspace's package.json and the lock, which npm ci needs to match. The
# npm ci layers below are reused until one of them changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
ENV CI=true
COPY package.json package-lock.json ./
COPY libs/shared/package.json libs/shared/
COPY services/auth/package.json services/auth/
COPY services/catalog/package.json services/catalog/
COPY services/order/package.json services/order/
COPY services/outbox-relay/package.json services/outbox-relay/
COPY services/notifier/package.json services/notifier/
COPY services/archiver/package.json services/archiver/
COPY tests/e2e/package.json tests/e2e/
COPY tests/delivery/package.json tests/delivery/
COPY tests/sql-dialect/package.json tests/sql-dialect/
COPY tests/chaos/package.json tests/chaos/

# --- build: every dependency, compile @app/shared and the service (prisma generate needs no engine)
FROM manifests AS build
ARG SERVICE
# Without the argument the COPY below would take every service: refuse early instead.
RUN test -n "${SERVICE}" || { echo "docker build needs --build-arg SERVICE=<name>" >&2; exit 1; }
ENV PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY scripts/prisma-generate.js scripts/
COPY libs/shared/ libs/shared/
COPY services/${SERVICE}/ services/${SERVICE}/
# What the runtime takes of the service: its build and, where it owns a database, its migrations.
RUN npm run build -w @app/shared -w @app/${SERVICE} \
  && mkdir -p /out \
  && cp -R services/${SERVICE}/dist /out/dist \
  && if [ -d services/${SERVICE}/migrations ]; then cp -R services/${SERVICE}/migrations /out/migrations; fi

# --- deps: production dependencies of the service and @app/shared only
FROM manifests AS deps
ARG SERVICE
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund -w @app/${SERVICE} -w @app/shared

# --- runtime: node + tini, production files only (owned by root, read-only to the app), non-root user
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# tini is PID 1: it forwards SIGTERM to node and reaps zombies, so graceful shutdown runs.
RUN apk add --no-cache tini
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/ ./
COPY --from=build /app/libs/shared/dist libs/shared/dist
WORKDIR /app/services/${SERVICE}
COPY --from=build /out/ ./
# Migrations: node /app/node_modules/@app/shared/dist/migrations/cli.js migrations
USER node

# --- job: a run-to-completion service (the archiver: Kubernetes CronJob, compose one-shot profile),
# no port, no HEALTHCHECK. The command is the entrypoint and CMD is empty, so arguments append to
# it rather than replace it: Kubernetes `args: ["--dry-run"]` and
# `docker compose run --rm archiver --dry-run` both run `node dist/main.js --dry-run` under tini.
FROM runtime AS job
ENTRYPOINT ["/sbin/tini", "--", "node", "dist/main.js"]
CMD []

# --- server: an HTTP service on PORT (the default target, the last stage)
FROM runtime AS server
ARG PORT
RUN test -n "${PORT}" || { echo "the server target needs --build-arg PORT=<port>" >&2; exit 1; }
ENV PORT=${PORT}
EXPOSE ${PORT}
# busybox wget ships with alpine: no curl needed for the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/health/live" || exit 1
ENTRYPOINT ["/sbin/tini", "--"]
# The command stays in CMD, so a one-shot (the migrations) replaces it and still runs under tini.
CMD ["node", "dist/main.js"]
