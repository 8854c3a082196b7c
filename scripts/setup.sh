#!/bin/sh
# Installs everything the tests need: node modules from the lock file and the Debian tools the end-to-end tests
# drive for real (FFmpeg + ffprobe, Chromium, docker-compose to validate the compose file, openssl for test certificates,
# nginx with its RTMP and stream modules as the RTMP and RTMPS receivers of restreaming). Safe to run again.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="ffmpeg chromium docker-compose openssl nginx libnginx-mod-rtmp libnginx-mod-stream"
missing=""
for pkg in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
else
  echo "setup: Debian packages present ($PACKAGES)"
fi

npm ci --no-audit --no-fund
