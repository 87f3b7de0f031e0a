# kiln's images, built by the project's own scripts (ci/setup.sh, ci/build.sh, ci/bundle.sh):
#
#   docker build --target plugin -t kiln-plugin .   # Kaniko executor + kiln under /kaniko/kiln/
#   docker build --target verify -t kiln-verify .   # scratch: kiln-verify and kiln-probe only
#
# For GitLab, whose jobs need a shell, build the plugin on the executor's -debug variant:
#   docker build --target plugin --build-arg KANIKO_IMAGE=ghcr.io/osscontainertools/kaniko:v1.28.3-debug ...
# (docs/plugin.md, "Images", explains both images, the bundle, and why the plugin image runs as root).

# The maintained Kaniko executor (the osscontainertools fork of GoogleContainerTools/kaniko,
# which was archived in 2025), pinned; pin it by digest in production.
ARG KANIKO_IMAGE=ghcr.io/osscontainertools/kaniko:v1.28.3
ARG KILN_VERSION=0.1.0
# Where the sources are published, for the images' OCI labels (set it when you publish).
ARG KILN_SOURCE_URL=https://github.com/kiln-dev/kiln

FROM debian:bookworm AS build
WORKDIR /src
# The set-up alone first, so the package layer is reused while the sources change.
COPY ci/setup.sh ci/setup.sh
RUN ["ci/setup.sh"]
COPY . .
RUN ["ci/build.sh"]
RUN ["ci/bundle.sh", "/out/kiln"]

# kiln-plugin inside the Kaniko executor image. Kaniko unpacks the base image of the Dockerfile
# it builds over / of its own container, so everything kiln needs lives under /kaniko/ (which
# Kaniko never touches) and needs no shell and no system library: the bundle.
# It stays root (no USER): the executor extracts base layers owned by any uid, chowns COPY
# results and runs RUN steps as the Dockerfile's users, all inside this container's /.
FROM ${KANIKO_IMAGE} AS plugin
ARG KILN_VERSION
ARG KILN_SOURCE_URL
COPY --from=build /out/kiln/ /kaniko/kiln/
# kiln's temp files (the merged docker config.json the executor pushes with) must survive the
# executor wiping /, so they go under /kaniko/ too: the build stage's empty /tmp, mode 1777.
COPY --from=build /tmp/ /kaniko/tmp/
ENV TMPDIR=/kaniko/tmp
# kiln-plugin and kiln-verify by name in a GitLab `script:` (the -debug variant has a shell).
# The executor runs RUN steps with the built image's own environment, not this one.
ENV PATH=/kaniko/kiln:/usr/local/bin:/kaniko:/busybox
LABEL org.opencontainers.image.title="kiln-plugin" \
      org.opencontainers.image.description="CI plugin that builds container images without privileges, through the Kaniko executor or natively" \
      org.opencontainers.image.version="${KILN_VERSION}" \
      org.opencontainers.image.source="${KILN_SOURCE_URL}" \
      org.opencontainers.image.documentation="${KILN_SOURCE_URL}/blob/main/README.md"
ENTRYPOINT ["/kaniko/kiln/kiln-plugin"]

# kiln-verify from scratch: the bundle under /opt/kiln/, the static probe at /kiln-probe (the
# kubernetes driver's init container runs `/kiln-probe install /kiln`), CA certificates for
# registry TLS, and a /tmp. Non-root.
FROM scratch AS verify
ARG KILN_VERSION
ARG KILN_SOURCE_URL
COPY --from=build /out/kiln/ /opt/kiln/
COPY --from=build /out/kiln/kiln-probe /kiln-probe
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# The build stage's empty /tmp, mode 1777 kept: kiln-verify unpacks layers into temp dirs.
COPY --from=build /tmp/ /tmp/
LABEL org.opencontainers.image.title="kiln-verify" \
      org.opencontainers.image.description="Verifies a pushed image (above all its application binary) and writes JUnit XML" \
      org.opencontainers.image.version="${KILN_VERSION}" \
      org.opencontainers.image.source="${KILN_SOURCE_URL}" \
      org.opencontainers.image.documentation="${KILN_SOURCE_URL}/blob/main/README.md"
USER 65532:65532
ENTRYPOINT ["/opt/kiln/kiln-verify"]
