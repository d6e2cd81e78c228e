#!/usr/bin/env bash
# Set up a fresh Debian 12 machine with Node.js 20 for this repository.
# It installs the Debian packages the tests and examples read
# (Fashion-MNIST), PyTorch for the peers benchmark and its test,
# Chromium for the browser tests, Mesa's lavapipe Vulkan
# driver for the webgpu backend tests, pnpm and the workspace dependencies,
# then builds every package.
# Safe to run again: each step is skipped or is a no-op when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
# Playwright drives Debian's Chromium in the browser tests; they never
# download a browser of their own. The peers suite of @modular/bench runs
# PyTorch 1.13 from python3-torch under /usr/bin/python3, and its test
# trains a tiny MLP with it.
APT_PACKAGES=(dataset-fashion-mnist chromium python3-torch)

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

# Dawn (the `webgpu` npm package) rejects the Vulkan driver of Debian 12's
# Mesa 22 because a feature it requires is missing; Mesa 25 from
# bookworm-backports passes, and its lavapipe runs WebGPU on the CPU.
BACKPORTS_SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources
LAVAPIPE_ICD=/usr/share/vulkan/icd.d/lvp_icd.json
if [ ! -f "$LAVAPIPE_ICD" ] || ! dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 2[5-9]'; then
  if [ ! -f "$BACKPORTS_SOURCES" ]; then
    echo "setup: adding the Debian bookworm-backports sources entry"
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
      "${SUDO[@]}" tee "$BACKPORTS_SOURCES" >/dev/null
  fi
  echo "setup: installing mesa-vulkan-drivers from bookworm-backports (lavapipe)"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -t bookworm-backports mesa-vulkan-drivers
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
