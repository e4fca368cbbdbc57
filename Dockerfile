# Build: install from the lockfile without install scripts, generate the Prisma client offline, compile.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/prisma.mjs generate && npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY prisma ./prisma
COPY core/catalog/extension-types.json ./core/catalog/extension-types.json
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080 8443
CMD ["node", "dist/api/main.js"]
