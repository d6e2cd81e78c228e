#!/usr/bin/env bash
# Set up a fresh Debian 12 machine with Node.js 20 for this repository:
# the Debian packages the tests and examples read (Fashion-MNIST), pnpm,
# the workspace dependencies, and a build of every package.
# Safe to run again: each step is skipped or is a no-op when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
APT_PACKAGES=(dataset-fashion-mnist)

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# pnpm 11 does not run on Node.js 20, and corepack cannot fetch pnpm on machines
# that reach only the npm registry, so pnpm is pinned and installed with npm.
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  "${SUDO[@]}" npm install --global "pnpm@$PNPM_VERSION"
fi

echo "setup: installing dependencies"
pnpm install --frozen-lockfile

echo "setup: building packages"
pnpm build
