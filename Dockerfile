# leadscore: the scoring service, to run beside Salesforce or HubSpot.
# Build:  docker build -t leadscore .
# Run:    docker run --env-file leadscore.env -v leadscore-data:/data leadscore   (the daemon)
#         docker run ... leadscore <command>                                   (any other command)
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY connectors ./connectors
RUN python -m venv /opt/leadscore \
    && /opt/leadscore/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm

LABEL org.opencontainers.image.title="leadscore" \
      org.opencontainers.image.description="Lead scoring built from your own win/loss history"
ENV PATH="/opt/leadscore/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg \
    LEADSCORE_STATE_URL="sqlite:////data/leadscore-state.db" \
    LEADSCORE_LOCAL__PATH="/data/leadscore-crm.db" \
    LEADSCORE_RULES_PATH="/rules/live.yaml"
RUN useradd --system --uid 10001 --home-dir /data --create-home leadscore
COPY --from=build /opt/leadscore /opt/leadscore
COPY rules /rules
USER 10001
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["leadscore"]
EXPOSE 9464
CMD ["daemon", "run"]
