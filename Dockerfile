# custseg serve as a Vertex AI custom container (also any other container runtime).
# Build: docker build -t custseg .   Run: docker run -p 8080:8080 -v $PWD/runs/r1:/model:ro custseg
# The build stage compiles and packs the package; the runtime stage installs that tarball the way a
# user would (npm ci --omit=dev against the lockfile) and runs it as the unprivileged `node` user.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && mkdir /pack && npm pack --pack-destination /pack && cp package-lock.json /pack/

FROM node:20-slim
ENV NODE_ENV=production AIP_HTTP_PORT=8080
WORKDIR /app
COPY --from=build /pack /tmp/pack
RUN tar -xzf /tmp/pack/custseg-*.tgz --strip-components=1 -C /app \
    && cp /tmp/pack/package-lock.json /app/ \
    && npm ci --omit=dev --no-audit --no-fund \
    && rm -rf /tmp/pack /root/.npm \
    && chown -R node:node /app
USER node
EXPOSE 8080
# node:20-slim has no curl: the check is a one-line fetch against the health route.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+(process.env.AIP_HTTP_PORT||8080)+(process.env.AIP_HEALTH_ROUTE||'/health')).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# One server process; on a machine given N cores, run the same command with `--workers N` added.
CMD ["node", "dist/cli/custseg.js", "serve", "--model", "/model/model.json", "--host", "0.0.0.0"]
