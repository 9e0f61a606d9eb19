# The Java runtime every image here runs on, for machines with no image registry: Debian bookworm's
# OpenJDK 17 JRE on a Debian base that infra/build-images.sh makes with debootstrap. Where a
# registry is at hand the images use eclipse-temurin:17-jre instead (their BASE_IMAGE default).
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
