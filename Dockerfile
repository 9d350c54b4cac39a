# Image for the app in app/ (see app/README.md). Build from the repository root:
#   docker build --build-arg APP_VERSION=1.2.3 --build-arg GIT_COMMIT="$(git rev-parse HEAD)" \
#     --build-arg BUILD_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t app .

# Base: Docker's official python image from its ECR Public mirror (public.ecr.aws/docker/library), the same
# image as Docker Hub's python:<tag>. CodeBuild pulls anonymously from shared addresses, which hit Docker
# Hub's per-address pull rate limit; ECR Public serves the official images under AWS's own quotas.
# Both stages use the same exact tag.
# ---- build stage: the pinned dependencies go into a venv that is copied as a whole ----
FROM public.ecr.aws/docker/library/python:3.12.12-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

COPY app/requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --only-binary=:all: -r /tmp/requirements.txt

# ---- runtime stage: no build tools, no pip cache, numeric non-root user ----
FROM public.ecr.aws/docker/library/python:3.12.12-slim-bookworm AS runtime

COPY --from=build /opt/venv /opt/venv

WORKDIR /srv
COPY app/ /srv/app/
# bytecode is compiled now, as root, because the running container cannot write it
RUN python -m compileall -q /srv/app

ARG APP_VERSION=dev
ARG GIT_COMMIT=unknown
ARG BUILD_TIME=unknown
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    APP_VERSION=${APP_VERSION} \
    GIT_COMMIT=${GIT_COMMIT} \
    BUILD_TIME=${BUILD_TIME}

# RDS's CA bundle for every region: the app verifies the database server's certificate and name with it
# (DB_SSLMODE verify-full, DB_SSLROOTCERT set by the task definition: plugins/module_utils/task_definition.py
# RDS_CA_BUNDLE; "Using SSL/TLS to encrypt a connection to a DB instance or cluster", RDS user guide).
ADD https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
RUN chmod 0644 /etc/ssl/certs/rds-global-bundle.pem

# /tmp is the task's scratch space under a read-only root filesystem: a bind mount the task
# definition puts there. Fargate creates that mount root-owned, mode 0755, unless the image declares
# the same path as a VOLUME, whose content, owner and mode it then takes (ECS developer guide, "Use
# bind mounts with Amazon ECS", considerations). So /tmp belongs to the app user, then is declared.
RUN chown 10001:10001 /tmp && chmod 0700 /tmp
USER 10001:10001
VOLUME ["/tmp"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=2)"]
CMD ["python", "-m", "app"]
