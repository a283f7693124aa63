#!/usr/bin/env bash
# Makes a WebGPU adapter available to Node (Dawn, npm `webgpu`). Safe to run again: what is present is left alone.
#   - With node_modules/webgpu installed, "present" means Dawn finds an adapter (scripts/probe-adapter.mjs).
#   - Without it (before `npm ci`), it means Mesa >= 23 with the lavapipe Vulkan ICD and the Vulkan loader.
# On Debian bookworm as root, whatever is missing is installed: Mesa from bookworm-backports (bookworm's own
# Mesa 22 is rejected by Dawn: "shaderUniform*ArrayDynamicIndexing required"), and the requested extras.
# Anywhere else it prints the exact manual steps and exits 1.
#
# Usage: scripts/setup-webgpu.sh [--with-testdata] [--with-chromium] [--with-swiftshader] [--check]
#   --with-testdata     also Debian's libonnx-testdata (ONNX backend tests under /usr/share/libonnx-testdata/data)
#   --with-chromium     also Debian's chromium (the browser test)
#   --with-swiftshader  also the SwiftShader Vulkan driver (from Debian's chromium), for KESTREL_ADAPTER=swiftshader
#   --check             install nothing; exit 0 when everything asked for is present, 1 otherwise
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
want_testdata=0; want_chromium=0; want_swiftshader=0; check_only=0
for a in "$@"; do
  case "$a" in
    --with-testdata) want_testdata=1 ;;
    --with-chromium) want_chromium=1 ;;
    --with-swiftshader) want_swiftshader=1 ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-webgpu: unknown flag $a (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "setup-webgpu: $*"; }
warn() { echo "setup-webgpu: $*" >&2; }

MIN_MESA=23
ICD_DIR=${KESTREL_VULKAN_ICD_DIR:-/usr/share/vulkan/icd.d}   # overridable for tests
TESTDATA_DIR=/usr/share/libonnx-testdata/data
CHROMIUM_BIN=${KESTREL_CHROMIUM_BIN:-/usr/bin/chromium}   # overridable for tests
SWIFTSHADER_ICD=${KESTREL_SWIFTSHADER_ICD:-/usr/lib/chromium/vk_swiftshader_icd.json}   # overridable for tests
BACKPORTS_LINE='deb http://deb.debian.org/debian bookworm-backports main'

deb_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
deb_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]; }
have_dpkg() { command -v dpkg-query >/dev/null 2>&1; }
lavapipe_icd() { compgen -G "$ICD_DIR/lvp_icd*.json" >/dev/null; }
# 25 from '25.0.7-2~bpo12+1' or '1:25.0.7-2' (dropping a Debian epoch).
major_of() { local v=${1#*:}; v=${v%%[!0-9]*}; echo "${v:-0}"; }
can_probe() { command -v node >/dev/null 2>&1 && [ -d "$here/node_modules/webgpu" ]; }
probe() { timeout 120 node "$here/scripts/probe-adapter.mjs" 2>/dev/null; }

# True when the installed Mesa is new enough and the lavapipe ICD and Vulkan loader are there.
mesa_ok() {
  have_dpkg || return 1
  local v; v=$(deb_version mesa-vulkan-drivers)
  [ -n "$v" ] && deb_installed mesa-vulkan-drivers && [ "$(major_of "$v")" -ge "$MIN_MESA" ] \
    && deb_installed libvulkan1 && lavapipe_icd
}

# The ICD file and its library; with node_modules/webgpu, Dawn must also report SwiftShader through it.
swiftshader_ok() {
  [ -f "$SWIFTSHADER_ICD" ] && [ -f "$(dirname "$SWIFTSHADER_ICD")/libvk_swiftshader.so" ] || return 1
  can_probe || return 0
  local name
  name=$(VK_ICD_FILENAMES="$SWIFTSHADER_ICD" VK_DRIVER_FILES="$SWIFTSHADER_ICD" probe) || return 1
  case "$name" in *[Ss]wift[Ss]hader*) return 0 ;; *) return 1 ;; esac
}

driver_ok() {
  if can_probe; then
    local name
    if name=$(probe); then say "WebGPU adapter present: $name"; return 0; fi
    return 1
  fi
  if mesa_ok; then
    say "Mesa $(deb_version mesa-vulkan-drivers) with lavapipe is installed (node_modules/webgpu absent, so Dawn was not probed)"
    return 0
  fi
  return 1
}

need_driver=0; apt_pkgs=()
driver_ok || need_driver=1
if [ $want_testdata = 1 ] && [ ! -d "$TESTDATA_DIR" ]; then apt_pkgs+=(libonnx-testdata); fi
if [ $want_chromium = 1 ] && [ ! -x "$CHROMIUM_BIN" ]; then apt_pkgs+=(chromium); fi
need_swiftshader=0
if [ $want_swiftshader = 1 ] && ! swiftshader_ok; then
  need_swiftshader=1
  [[ " ${apt_pkgs[*]-} " == *" chromium "* ]] || apt_pkgs+=(chromium)
fi

if [ $need_driver = 0 ] && [ ${#apt_pkgs[@]} = 0 ]; then
  [ $want_testdata = 1 ] && say "ONNX test data present: $TESTDATA_DIR"
  [ $want_chromium = 1 ] && say "chromium present: $CHROMIUM_BIN"
  [ $want_swiftshader = 1 ] && say "SwiftShader present: $SWIFTSHADER_ICD"
  exit 0
fi

# Mesa is new enough yet Dawn finds no adapter: installing packages again would not help.
if [ $need_driver = 1 ] && can_probe && mesa_ok; then
  warn "Mesa $(deb_version mesa-vulkan-drivers) and lavapipe are installed, but Dawn finds no WebGPU adapter:"
  timeout 120 node "$here/scripts/probe-adapter.mjs" >&2 || true
  warn "check VK_ICD_FILENAMES / VK_DRIVER_FILES and that libvulkan.so.1 loads (try: vulkaninfo --summary)"
  exit 1
fi

manual_steps() {
  warn "$1; to install by hand, as root on Debian bookworm:"
  if [ $need_driver = 1 ]; then
    warn "  echo '$BACKPORTS_LINE' > /etc/apt/sources.list.d/kestrel-backports.list"
    warn "  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1"
  elif [ ${#apt_pkgs[@]} -gt 0 ]; then
    warn "  apt-get update"
  fi
  if [ ${#apt_pkgs[@]} -gt 0 ]; then warn "  apt-get install -y ${apt_pkgs[*]}"; fi
  warn "Elsewhere: any WebGPU adapter Dawn can use works (check with: node scripts/probe-adapter.mjs)."
}

if [ $check_only = 1 ]; then
  [ $need_driver = 1 ] && warn "missing: a WebGPU adapter (Mesa >= $MIN_MESA with lavapipe)"
  [ $need_swiftshader = 1 ] && warn "missing: SwiftShader (no working Vulkan ICD at $SWIFTSHADER_ICD)"
  [ ${#apt_pkgs[@]} -gt 0 ] && warn "missing: ${apt_pkgs[*]}"
  manual_steps "--check given, so installing nothing"
  exit 1
fi
is_bookworm=0
grep -qs '^VERSION_CODENAME=bookworm' /etc/os-release && is_bookworm=1
if [ "$(id -u)" != 0 ]; then manual_steps "cannot install: not root"; exit 1; fi
if [ $is_bookworm = 0 ]; then manual_steps "cannot install: not Debian bookworm"; exit 1; fi

export DEBIAN_FRONTEND=noninteractive
# Waits for another apt (unattended-upgrades on a fresh machine) and retries transient network failures.
apt_get() {
  local try
  for try in 1 2 3; do
    apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@" && return 0
    [ $try = 3 ] || { warn "apt-get $* failed; retrying in $((try * 10)) s"; sleep $((try * 10)); }
  done
  return 1
}
if [ $need_driver = 1 ] && ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  say "adding bookworm-backports to /etc/apt/sources.list.d/kestrel-backports.list"
  echo "$BACKPORTS_LINE" > /etc/apt/sources.list.d/kestrel-backports.list
fi
say "apt-get update"
apt_get update -qq
if [ $need_driver = 1 ]; then
  say "installing mesa-vulkan-drivers libvulkan1 from bookworm-backports"
  apt_get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  say "installing ${apt_pkgs[*]}"
  apt_get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

if [ $need_driver = 1 ]; then
  if ! driver_ok; then
    warn "installed Mesa $(deb_version mesa-vulkan-drivers), but there is still no WebGPU adapter:"
    if can_probe; then timeout 120 node "$here/scripts/probe-adapter.mjs" >&2 || true; fi
    exit 1
  fi
fi
if [ $want_testdata = 1 ] && [ ! -d "$TESTDATA_DIR" ]; then warn "libonnx-testdata installed but $TESTDATA_DIR is missing"; exit 1; fi
if [ $want_chromium = 1 ] && [ ! -x "$CHROMIUM_BIN" ]; then warn "chromium installed but $CHROMIUM_BIN is missing"; exit 1; fi
if [ $want_swiftshader = 1 ] && ! swiftshader_ok; then
  warn "chromium installed but SwiftShader does not work: check $SWIFTSHADER_ICD and libvk_swiftshader.so next to it"
  exit 1
fi
say "done"
