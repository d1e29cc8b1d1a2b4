# Production image for the API: `docker build -t ecommerce-api .`
# Run it with a JWT_SECRET of at least 32 bytes (NODE_ENV=production refuses to start without):
#   docker run --init -p 3000:3000 -e JWT_SECRET="$(openssl rand -base64 48)" -v shop-data:/app/data ecommerce-api

# ---- build: all dependencies, compile TypeScript, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build

# better-sqlite3 downloads a prebuilt binary where one exists and compiles from source
# elsewhere; compiling needs these. The image's own Node headers (/usr/local/include/node)
# are used, so a compile does not download them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local

WORKDIR /app

# Dependencies first, so a change to the sources alone reuses this layer. The workspaces'
# package.json files are part of what npm ci installs from.
COPY package.json package-lock.json ./
COPY dashboard/package.json ./dashboard/package.json
COPY clients/typescript/package.json ./clients/typescript/package.json
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/build-dashboard.mjs ./scripts/build-dashboard.mjs
COPY clients ./clients
COPY dashboard ./dashboard
RUN npm run build \
 && node scripts/build-dashboard.mjs \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled code and production dependencies only ----
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app

# Owned by root and read-only to the app; only /app/data is writable by it.
# package.json is needed at run time: "type": "module" and the version the API reports.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The admin dashboard's built files, served at /admin/.
COPY --from=build /app/dashboard/dist ./dashboard/dist

# The default SQLite database (./data/shop.db) lives here. A fresh named volume mounted
# here takes this directory's owner, the image's unprivileged `node` user (uid 1000).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]

USER node

EXPOSE 3000

# /health answers while the process runs (no curl in slim images, so node asks it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# node itself is PID 1 and handles SIGTERM (finishes requests in flight, closes the database,
# exits 0). `npm start` would also rebuild from src/, which this image does not have.
CMD ["node", "dist/server.js"]
