# The service as an image: the web app built with Node, the wheel built with the locked
# hatchling, then a slim runtime with the hash-checked runtime lock and that wheel.
# compose.yaml runs it on Neo4j 5.26; README "Docker" says how.

# ---- the web app (service/static/app), as `make web` builds it
FROM node:22-bookworm-slim AS web
WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN npm ci --prefix web --no-audit --no-fund --loglevel=error
COPY web/ web/
RUN npm run --prefix web --silent build

# ---- the wheel: one top-level name, competency_graph (pyproject.toml says why)
FROM python:3.11-slim-bookworm AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements-dev.lock ./
RUN pip install --require-hashes -r requirements-dev.lock
COPY pyproject.toml README.md LICENSE ./
COPY competency_graph/ competency_graph/
COPY graph/ graph/
COPY schema/ schema/
COPY seed/ seed/
COPY service/ service/
COPY --from=web /src/service/static/app/ service/static/app/
RUN python -m hatchling build -t wheel -d /dist

# ---- the runtime
FROM python:3.11-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-deps /tmp/dist/*.whl && rm -rf /tmp/dist \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home cg \
    && mkdir -m 0700 /data && chown cg:cg /data
USER cg
WORKDIR /data
# Inside a container the service listens on every interface; the data directory holds the
# generated token secret (and the embedded store, if CG_BACKEND is left at `embedded`).
ENV CG_HOST=0.0.0.0 CG_PORT=8000 CG_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
ENTRYPOINT ["competency-graph"]
CMD ["serve"]
