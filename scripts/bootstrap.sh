#!/usr/bin/env bash
# Installs everything the build and every test tier need on a fresh Debian 12 machine with Node >= 20.19
# and a C compiler, as root: Debian packages, pnpm (the version pinned in package.json) and the
# workspace's npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  build-essential # the Landlock helper and the seccomp test loader are built from source
  libseccomp-dev  # libseccomp: the reference the BPF compiler is tested against
  seccomp         # scmp_sys_resolver: syscall numbers per architecture
  crun            # OCI runtimes: run the OCI seccomp profiles Volt writes (crun with libseccomp,
  runc            #   and runc, the reference runtime)
  podman catatonit # podman kube play: runs the Kubernetes manifests Volt renders (in the VM suite)
  systemd-container # systemd-nspawn: judges every rendered plan
  nftables        # port forwards and masquerading
  iproute2        # network namespaces, veth, bridges
  busybox-static  # a tiny container rootfs for nspawn tests
  util-linux      # unshare, flock, setpriv
  zsh fish        # the CLI's completion scripts are loaded by each shell in its tests
  time            # /usr/bin/time -v: peak memory of the Landlock helper
  qemu-system-x86 debootstrap cpio # the VM end-to-end suite (e2e/): boots Debian bookworm with qemu TCG
)

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version"
fi

pnpm install --frozen-lockfile
pnpm run build
