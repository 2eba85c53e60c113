# Multi-stage build of the forescale controller: a static Swift stdlib binary on a slim, non-root runtime.
#   docker build -t forescale:latest .
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Resolve dependencies first so they are cached while the sources change.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product forescale --static-swift-stdlib \
    && mkdir -p /out \
    && cp "$(swift build -c release --show-bin-path)/forescale" /out/forescale \
    && strip /out/forescale

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 forescale \
    && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --shell /usr/sbin/nologin forescale
COPY --from=build /out/forescale /usr/local/bin/forescale
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/forescale"]
CMD ["run", "--config", "/etc/forescale/config.yaml"]
