#!/bin/sh
# Builds the static Landlock helper with the system C compiler into dist/.
set -eu
cd "$(dirname "$0")/.."
mkdir -p dist
${CC:-cc} -static -Os -s -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
  -Wl,--gc-sections -o dist/volt-landlock.tmp native/volt-landlock.c
mv dist/volt-landlock.tmp dist/volt-landlock
