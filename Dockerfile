# syntax=docker/dockerfile:1
#
# careflow image: one image, two processes.
#   worker (default):  npx tsx worker.ts
#   API:               npx tsx src/api/main.ts
# See docs/deployment.md and docker-compose.yml.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# deps: install node_modules from the lock file.
# NODE_ENV is deliberately NOT production here: the full install builds the
# workflow bundle below, and the runtime stage prunes dev packages afterwards.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# ---------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app

# Dependencies and sources stay root-owned (read-only for the app user).
COPY --from=deps /app/node_modules ./node_modules
COPY . .

# Prebuilt workflow bundle (dist/), loaded by workers when NODE_ENV=production; then the
# dev-only packages (type checker, linters, test tools) leave the image.
RUN npx tsx scripts/bundle-workflows.ts && npm prune --omit=dev --no-audit --no-fund

# The only directory the app may write to inside /app.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3000

# Default process: the Temporal worker. The API overrides the command with
#   npx tsx src/api/main.ts
CMD ["npx", "tsx", "worker.ts"]
