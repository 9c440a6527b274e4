#!/usr/bin/env bash
# The whole test suite: lint, dependency rules, build, type checks, unit tests, the system tiers (real
# kernel, real systemd-nspawn, real network namespaces; serial, as root), package checks and the VM
# end-to-end suite (real systemd as PID 1).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "lint (biome)"
pnpm exec biome ci .

step "dependency rules"
pnpm run check:deps

step "build"
pnpm exec turbo run build

step "typecheck"
pnpm exec turbo run typecheck

step "unit tests"
pnpm exec turbo run test --concurrency=1

step "system tests (kernel, nspawn, network)"
if [ "$(id -u)" -ne 0 ]; then
  echo "system tests need root (Landlock, seccomp, cgroup2, network namespaces, systemd-nspawn)" >&2
  exit 1
fi
pnpm exec turbo run test:system --concurrency=1

step "package checks (publint, attw, isolated install)"
pnpm run check:packages

step "tests of the repository checks"
pnpm run test:scripts

step "end-to-end suite: a Debian VM with systemd as PID 1 (qemu TCG; the image is cached per recipe)"
pnpm run test:vm
