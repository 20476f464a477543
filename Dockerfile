# For users with Docker: the app image; Neo4j comes from docker-compose.yml.
FROM node:20-bookworm-slim
# Debian's chromium prints PDF and PNG reports (without it those answer 503; everything else works).
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm i --no-save tsx esbuild
COPY tsconfig.json ./
COPY src ./src
COPY cypher ./cypher
COPY scripts ./scripts
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["npx", "tsx", "src/main.ts"]
