# syntax=docker/dockerfile:1
#
# careflow image: one image, two processes.
#   worker (default):  npx tsx worker.ts
#   API:               npx tsx src/api/main.ts
# See docs/deployment.md and docker-compose.yml.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# deps: install node_modules from the lock file.
# NODE_ENV is deliberately NOT production here: `npm ci` would then skip
# devDependencies, and some of them may be needed at run time through tsx.
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

# The only directory the app may write to inside /app.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3000

# Default process: the Temporal worker. The API overrides the command with
#   npx tsx src/api/main.ts
CMD ["npx", "tsx", "worker.ts"]
