# One image for every role: `api`, `worker`, `start` (both in one process: the all-in-one emulator), `migrate`,
# `keys <command>` (scripts/container.ts). README.md, "Docker", says how to run it; test/docker/image.test.ts rebuilds
# the runtime stage's file tree from the COPY and RUN lines below and runs it, so what is listed here is what is tested.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency from the lockfile without install scripts, the Prisma client generated offline
# (scripts/prisma.mjs), TypeScript compiled to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY . .
RUN node scripts/prisma.mjs generate
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# Production dependencies only. --omit=optional as well: the Prisma CLI and TypeScript are optional peers of
# @prisma/client, which --omit=dev alone keeps; the other optional packages are msgpackr's native speed-up (it falls
# back to JavaScript) and pg's Cloudflare socket. Of @prisma/client's runtime only the client and the PostgreSQL query
# compiler are loaded; the engines for other databases and platforms are most of its 74 MB.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
RUN find node_modules/@prisma/client/runtime -maxdepth 1 -type f ! -name 'client.*' ! -name 'index-browser.*' ! -name 'query_compiler_bg.postgresql.*' -delete

# Runtime: node, the production dependencies, the compiled code and the files it reads (package.json for the
# version, the migrations, the shipped catalog). Owned by root, run as node: the code cannot rewrite itself.
FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 DATA_DIR=/data
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/api ./dist/api
COPY --from=build /app/dist/core ./dist/core
COPY --from=build /app/dist/workers ./dist/workers
COPY --from=build /app/dist/scripts ./dist/scripts
COPY prisma/migrations ./prisma/migrations
COPY core/catalog/extension-types.json ./core/catalog/extension-types.json
# A named volume mounted here starts with this directory's owner, so the node user can write its keyring and certificate.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/scripts/container.js", "healthcheck"]
# The heap limits of core/heap-limits.ts (HEAP_LIMIT_FLAGS; a test holds the two equal), as npm start gives them.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--max-old-space-size=128", "dist/scripts/container.js"]
CMD ["start"]
