# Warden (and the exchange simulator, same image) for docker-compose.yml.
# Build: docker build -t warden .   Run: docker run --rm warden --help
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet; we build explicitly below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json warden.yaml ./
COPY bin ./bin
COPY rules ./rules
COPY deploy/warden ./deploy/warden
# Named volumes take the owner of the directory they are mounted on: let the node user write logs and data.
RUN mkdir -p /var/log/exchange /app/.warden && chown node:node /var/log/exchange /app/.warden
USER node
EXPOSE 9097
ENTRYPOINT ["node", "bin/warden.js"]
CMD ["start", "--config", "deploy/warden/warden.yaml"]
