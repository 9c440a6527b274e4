#!/bin/sh
# Builds the static helper with the system C compiler into dist/, and the test suite's build of it (with
# --emulate-abi and --no-openat2) into dist/testing/, which the package does not ship.
set -eu
cd "$(dirname "$0")/.."
mkdir -p dist/testing
build() {
  ${CC:-cc} -static -Os -s -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
    -Wl,--gc-sections "$@" native/main.c native/report.c native/policy.c native/landlock.c \
    native/network.c native/init.c
}
build -o dist/volt-landlock.tmp
build -DVOLT_HELPER_TESTING -o dist/testing/volt-landlock.tmp
mv dist/volt-landlock.tmp dist/volt-landlock
mv dist/testing/volt-landlock.tmp dist/testing/volt-landlock
