# leadscore: the scoring service, to run beside Salesforce or HubSpot.
# Build:  docker build -t leadscore .
# Run:    docker run --env-file leadscore.env -v leadscore-data:/data leadscore   (the daemon)
#         docker run ... leadscore <command>                                   (any other command)
#
# The base image is pinned by digest; to move to a newer one, take the digest from
# `docker buildx imagetools inspect python:3.11-slim-bookworm` and change both FROM lines.
# Every Python package comes from requirements.lock with its hashes (regenerate it with the
# command in its header after changing pyproject.toml); pip, setuptools and wheel are removed
# from the final image.
FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91 AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
COPY service ./service
COPY connectors ./connectors
RUN python -m venv /opt/leadscore \
    && /opt/leadscore/bin/pip install --no-cache-dir --require-hashes -r requirements.lock \
    && /opt/leadscore/bin/pip install --no-cache-dir --no-deps --no-build-isolation . \
    && /opt/leadscore/bin/pip uninstall --yes pip setuptools wheel

FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

LABEL org.opencontainers.image.title="leadscore" \
      org.opencontainers.image.description="Lead scoring built from your own win/loss history"
ENV PATH="/opt/leadscore/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    LEADSCORE_STATE_URL="sqlite:////data/leadscore-state.db" \
    LEADSCORE_LOCAL__PATH="/data/leadscore-crm.db" \
    LEADSCORE_RULES_PATH="/rules/live.yaml" \
    LEADSCORE_DAEMON__METRICS_HOST="0.0.0.0"
RUN python -m pip uninstall --yes pip setuptools wheel \
    && useradd --system --uid 10001 --home-dir /data --create-home leadscore
COPY --from=build /opt/leadscore /opt/leadscore
COPY rules /rules
USER 10001
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["leadscore"]
EXPOSE 9464
CMD ["daemon", "run"]
