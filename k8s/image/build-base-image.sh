#!/usr/bin/env bash
# Builds the base image of Verity's container image without a Docker daemon or a registry:
# a Debian bookworm root file system (debootstrap, minbase variant) with the OpenJDK 17 JRE,
# written as a one-layer docker-archive tar (the format of `docker save`) at
#   k8s/image/target/base-jre17.tar
# which Jib reads as `tar://...` (see the `image` profile in deploy/pom.xml).
#
# Needs: root (debootstrap installs packages into a chroot and sets file owners),
#        debootstrap (apt-get install debootstrap), and HTTP access to deb.debian.org
#        (or the mirror in DEBIAN_MIRROR).
# Usage: k8s/image/build-base-image.sh [--force]
#   Skips the build when the tar exists already; --force builds it again.
# The image has a user verity (uid/gid 1000) and a directory /data owned by it, so that the
# application image can run as non-root with /data as its working directory.
# The tar flags (sorted names, numeric owners, mtime 0) make the tars reproducible for the
# same packages; the package versions are those the mirror serves on the day of the build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="$HERE/target"
OUT="$OUT_DIR/base-jre17.tar"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
JAVA_HOME_IN_IMAGE=/usr/lib/jvm/java-17-openjdk-amd64
APP_UID=1000
TAG="verity/base-jre17:$SUITE"

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help)
      sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "build-base-image: unknown argument $arg (usage: $0 [--force])" >&2
      exit 2
      ;;
  esac
done

if [ -f "$OUT" ] && ! $force; then
  echo "build-base-image: $OUT exists; use --force to build it again"
  echo "size:   $(stat -c %s "$OUT") bytes"
  echo "digest: sha256:$(tar -xOf "$OUT" config.json | sha256sum | cut -d' ' -f1)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "build-base-image: needs root (debootstrap)" >&2; exit 2; }
command -v debootstrap >/dev/null ||
  { echo "build-base-image: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d "$OUT_DIR/base.XXXXXX")"
ROOTFS="$WORK/rootfs"
cleanup() {
  # Never delete a root file system that still has proc or sys mounted in it.
  for m in proc sys dev/pts dev; do
    if mountpoint -q "$ROOTFS/$m" 2>/dev/null; then umount -l "$ROOTFS/$m" || true; fi
  done
  if ! grep -q " $WORK/" /proc/mounts; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

start=$(date +%s)
echo "build-base-image: debootstrap $SUITE from $MIRROR (about a minute)..."
debootstrap --variant=minbase --include=openjdk-17-jre-headless \
  "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -30 "$WORK/debootstrap.log" >&2; echo "build-base-image: debootstrap failed" >&2; exit 1; }
for m in proc sys dev/pts; do
  if mountpoint -q "$ROOTFS/$m"; then umount -l "$ROOTFS/$m"; fi
done
# debootstrap may bind /dev of the host; trim nothing while anything is mounted below ROOTFS.
if grep -q " $ROOTFS/" /proc/mounts; then
  echo "build-base-image: file systems still mounted below $ROOTFS; stopping" >&2
  exit 1
fi
[ -x "$ROOTFS$JAVA_HOME_IN_IMAGE/bin/java" ] ||
  { echo "build-base-image: no java at $JAVA_HOME_IN_IMAGE in the root file system" >&2; exit 1; }

echo "build-base-image: trimming the root file system..."
(
  cd "$ROOTFS"
  rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
    usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
    var/log/* var/cache/debconf/*-old var/lib/dpkg/*-old tmp/* var/tmp/* root/.bash_history
  # Keep the packages' copyright files, drop the rest of their documentation.
  find usr/share/doc -type f ! -name copyright -delete
  find usr/share/doc -depth -type d -empty -delete
  # The container runtime provides /dev, /proc and /sys.
  rm -rf dev/* proc/* sys/*
  : >etc/machine-id
  mkdir -p var/lib/apt/lists/partial var/cache/apt/archives/partial
  # The non-root user the application runs as, and its data directory.
  echo "verity:x:$APP_UID:$APP_UID:Verity:/data:/usr/sbin/nologin" >>etc/passwd
  echo "verity:x:$APP_UID:" >>etc/group
  echo "verity:!:0:0:99999:7:::" >>etc/shadow
  mkdir -p data
  chown "$APP_UID:$APP_UID" data
  chmod 0755 data
)

TAR_FLAGS=(--numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 --format=gnu)
IMG="$WORK/image"
mkdir -p "$IMG"
echo "build-base-image: writing the layer..."
# --owner/--group 0 would flatten /data's owner, so the layer keeps the real numeric owners.
tar --numeric-owner --sort=name --mtime=@0 --format=gnu -C "$ROOTFS" -cf "$IMG/layer.tar" .
DIFF_ID="sha256:$(sha256sum "$IMG/layer.tar" | cut -d' ' -f1)"

cat >"$IMG/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$JAVA_HOME_IN_IMAGE","LANG=C.UTF-8"]},"rootfs":{"type":"layers","diff_ids":["$DIFF_ID"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"debootstrap --variant=minbase --include=openjdk-17-jre-headless $SUITE; user verity ($APP_UID), /data"}]}
EOF
printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "$TAG" >"$IMG/manifest.json"

tar "${TAR_FLAGS[@]}" -C "$IMG" -cf "$OUT.tmp" manifest.json config.json layer.tar
mv "$OUT.tmp" "$OUT"

echo "build-base-image: built $OUT ($TAG) in $(($(date +%s) - start)) s"
echo "size:    $(stat -c %s "$OUT") bytes ($(du -h "$OUT" | cut -f1))"
echo "layer:   $DIFF_ID"
echo "digest:  sha256:$(sha256sum "$IMG/config.json" | cut -d' ' -f1)"
