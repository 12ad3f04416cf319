# TicketLemon image: ticketlemond (the entrypoint) and the tools
# (tl-admin, tl-buy, tl-pay, tl-status), built from this checkout.
#
#   docker build -t ticketlemon .
#   docker run --rm ticketlemon --version
#   docker run --rm --entrypoint tl-admin ticketlemon --help
#
# docker-compose.yml runs it with MySQL 8 and Redis 7; see deploy/secrets/README.

# --- build: the build packages of scripts/deps ------------------------------
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libcli11-dev libboost-dev libboost-system-dev libhiredis-dev libmysqlcppconn-dev \
      libtomlplusplus-dev libspdlog-dev nlohmann-json3-dev libssl-dev libqrencode-dev libpng-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# No tests (they need GoogleTest and private servers); installed into a
# staging directory so that only what `cmake --install` puts in /usr/local
# goes into the runtime image.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DTL_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr/local \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/staging cmake --install /build --strip \
 && rm -rf /staging/usr/local/include

# --- runtime: only the shared libraries the programs load, and curl ---------
FROM debian:bookworm-slim
# What the installed programs load (ldd), besides libc6, libstdc++6 and
# zlib1g that the base image has. libmysqlcppconn7v5 brings libmariadb3, with
# its caching_sha2_password plugin for MySQL 8. No libboost-system1.74.0:
# Asio and Beast are header-only in Boost 1.74 and nothing loads
# libboost_system. curl is for the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libhiredis0.14 libmysqlcppconn7v5 libtomlplusplus3 libspdlog1.10 libfmt9 \
      libssl3 libqrencode4 libpng16-16 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
# A fixed uid, so that the secret and configuration files mounted from the
# host (mode 0600) can be given to it: chown 10001 FILE. docker-compose.yml
# may run the container as another uid instead (TL_UID).
RUN groupadd --system --gid 10001 ticketlemon \
 && useradd --system --uid 10001 --gid ticketlemon --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin ticketlemon
COPY --from=build /staging/usr/local/ /usr/local/
RUN ldconfig && /usr/local/sbin/ticketlemond --version && /usr/local/bin/tl-admin --version
USER 10001:10001
EXPOSE 9464
# /healthz answers 200 when MySQL and Redis both answer, else 503. The
# configuration must listen on 0.0.0.0:9464 (or 127.0.0.1:9464) for this.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["/usr/local/sbin/ticketlemond"]
CMD ["--config", "/etc/ticketlemon/ticketlemon.toml"]
