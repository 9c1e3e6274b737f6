# Tally in a container: the web app (trunk) and the server, built in one stage, run in a slim one.
# syntax=docker/dockerfile:1

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends brotli \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add wasm32-unknown-unknown \
 && cargo install trunk --version 0.21.14 --locked \
 && cargo install wasm-bindgen-cli --version 0.2.130
WORKDIR /src
COPY . .
ENV TRUNK_SKIP_VERSION_CHECK=true
# Trunk builds offline (crates/web/Trunk.toml), so fetch every crate first.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo fetch --locked \
 && bash -c '. scripts/common.sh && build_web' \
 && cargo build --release --locked -p tally-api \
 && mkdir -p /out \
 && cp target/release/tally /out/tally \
 && cp -r crates/web/dist /out/dist

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home tally
COPY --from=build /out/tally /usr/local/bin/tally
COPY --from=build /out/dist /app/dist
WORKDIR /app
# MALLOC_ARENA_MAX: fewer glibc arenas, less memory kept after a large sync (docs/performance.md).
ENV HOST=0.0.0.0 \
    PORT=3001 \
    SPA_DIR=/app/dist \
    LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2
USER tally
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:3001/api/health >/dev/null || exit 1
CMD ["tally"]
