#!/usr/bin/env bash
# Makes a WebGPU adapter available to Node (Dawn). On a machine that already has one, changes nothing.
# On Debian bookworm as root with no adapter: installs Mesa's lavapipe from bookworm-backports
# (bookworm's Mesa 22 is rejected by Dawn: "shaderUniform*ArrayDynamicIndexing required").
# Usage: scripts/setup-webgpu.sh [--with-testdata] [--with-chromium]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
want_testdata=0; want_chromium=0
for a in "$@"; do
  case "$a" in
    --with-testdata) want_testdata=1 ;;
    --with-chromium) want_chromium=1 ;;
    *) echo "setup-webgpu: unknown flag $a" >&2; exit 2 ;;
  esac
done

probe() { node "$here/scripts/probe-adapter.mjs" >/dev/null 2>&1; }

apt_pkgs=()
need_backports=0
if [ -d "$here/node_modules/webgpu" ] && probe; then
  echo "setup-webgpu: a WebGPU adapter is present; nothing to install for the driver."
else
  need_backports=1
fi
[ $want_testdata = 1 ] && [ ! -d /usr/share/libonnx-testdata/data ] && apt_pkgs+=(libonnx-testdata)
[ $want_chromium = 1 ] && [ ! -x /usr/bin/chromium ] && apt_pkgs+=(chromium)

if [ $need_backports = 0 ] && [ ${#apt_pkgs[@]} = 0 ]; then exit 0; fi

is_debian12=0
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null && is_debian12=1
if [ "$(id -u)" != 0 ] || [ $is_debian12 = 0 ]; then
  echo "setup-webgpu: cannot install automatically here (need root on Debian bookworm). Steps:" >&2
  echo "  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list" >&2
  echo "  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1" >&2
  echo "  apt-get install -y libonnx-testdata chromium   # test data and the browser test" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_backports = 1 ]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/kestrel-backports.list
  fi
fi
apt-get update -qq
if [ $need_backports = 1 ]; then
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null; fi

if [ $need_backports = 1 ] && [ -d "$here/node_modules/webgpu" ]; then
  if probe; then echo "setup-webgpu: lavapipe installed; adapter found."; else
    echo "setup-webgpu: installed Mesa but still no adapter:" >&2; node "$here/scripts/probe-adapter.mjs" >&2 || true; exit 1; fi
fi
