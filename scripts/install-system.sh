#!/usr/bin/env bash
# Installs the Debian packages wgsl-vision needs: Chromium (browser tests, demo screenshots),
# Mesa lavapipe 25.x from bookworm-backports (Vulkan on the CPU for Dawn in Node; bookworm's
# own 22.x is too old for Dawn), ONNX conformance vectors, Fashion-MNIST and espeak-ng (the
# spoken-words training set). Needs root.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/libonnx-testdata/data ] || need+=(libonnx-testdata)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
[ -x /usr/bin/espeak-ng ] || need+=(espeak-ng)
lavapipe_ok() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -qE '^(2[3-9]|[3-9][0-9])\.'; }
if [ ${#need[@]} -eq 0 ] && lavapipe_ok; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages: ${need[*]} $(lavapipe_ok || echo 'mesa-vulkan-drivers (bookworm-backports)'); run: sudo bash scripts/install-system.sh" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Backports come from the mirror the machine's own apt sources already use; none: say so.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' /etc/apt/sources.list.d/debian.sources
  fi
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri=$(grep -rhE '^(deb|URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?( |$)' | tr -d ' ' | head -1)
    if [ -z "$uri" ]; then
      echo "install-system: no Debian mirror in /etc/apt/sources.list or /etc/apt/sources.list.d/ to take bookworm-backports from;" >&2
      echo "add bookworm-backports to your apt sources, then run this again (Mesa's lavapipe 23+ is needed for Dawn)" >&2
      exit 1
    fi
    echo "deb ${uri} bookworm-backports main" > /etc/apt/sources.list.d/backports.list
  fi
fi
apt-get update -qq
[ ${#need[@]} -eq 0 ] || apt-get install -y -qq "${need[@]}" >/dev/null
lavapipe_ok || apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
echo "system packages installed"
