#!/usr/bin/env bash
# Installs what the real-editor integration tests (npm run test:integration) need, outside the project's
# node_modules, and says what it did. Safe to re-run: every step is skipped when its result is already there.
#
#   apt (Debian):  chromium (driven by playwright-core; nothing may download a browser), libkrb5-dev and a C++
#                  toolchain (code-server's native modules are built from source), fonts for readable screenshots.
#   npm:           node@<pinned 24.x>     -> $CACHE/node-<ver>          (code-server 4.x refuses any other Node)
#                  code-server@<pinned>   -> $CACHE/code-server-<ver>   (built with that Node 24)
#
# $CACHE is $REWARD_LENS_CACHE, default $HOME/.cache/reward-lens. Pinned versions live in
# test/integration/editorTestDeps.json, which the test harness reads too.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${REWARD_LENS_CACHE:-$HOME/.cache/reward-lens}"
PINS="$ROOT/test/integration/editorTestDeps.json"
CODE_SERVER_VERSION="$(node -p "require('$PINS').codeServer")"
NODE24_VERSION="$(node -p "require('$PINS').node24")"
NODE24_DIR="$CACHE/node-$NODE24_VERSION"
CODE_SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

did=()
step_start=0
begin() { step_start=$SECONDS; echo "==> $1"; }
done_step() { did+=("$1 ($((SECONDS - step_start))s)"); }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root (no sudo available)" >&2; exit 1
  fi
}

# --- apt --------------------------------------------------------------------------------------------------
apt_missing=()
for pkg in chromium libkrb5-dev fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || apt_missing+=("$pkg")
done
command -v python3 >/dev/null || apt_missing+=(python3)
{ command -v make >/dev/null && command -v g++ >/dev/null; } || apt_missing+=(build-essential)
if [ ${#apt_missing[@]} -gt 0 ]; then
  begin "apt-get install ${apt_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
  done_step "apt: installed ${apt_missing[*]}"
else
  did+=("apt: chromium, libkrb5-dev, fonts, build tools already installed (skipped)")
fi

marker="$CODE_SERVER_DIR/.reward-lens-install-complete"
entry="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"

# --- Node 24 (npm package node@24: a prebuilt binary plus headers, so node-gyp never downloads them) --------
node24="$NODE24_DIR/node_modules/node/bin/node"
if [ -x "$node24" ] && [ "$("$node24" -v 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  did+=("node@$NODE24_VERSION already in $NODE24_DIR (skipped)")
else
  begin "npm install node@$NODE24_VERSION into $NODE24_DIR"
  rm -rf "$NODE24_DIR" && mkdir -p "$NODE24_DIR"
  # Run from the folder itself so the project's .npmrc and package.json are not involved.
  echo '{ "private": true }' >"$NODE24_DIR/package.json"
  (cd "$NODE24_DIR" && npm install --no-save --no-audit --no-fund --no-package-lock "node@$NODE24_VERSION")
  [ "$("$node24" -v)" = "v$NODE24_VERSION" ] || { echo "error: $node24 is not v$NODE24_VERSION" >&2; exit 1; }
  done_step "npm: node@$NODE24_VERSION -> $NODE24_DIR"
fi
node_h="$(find "$NODE24_DIR/node_modules" -path '*/include/node/node.h' -print -quit)"
[ -n "$node_h" ] || { echo "error: no Node 24 headers (include/node/node.h) under $NODE24_DIR" >&2; exit 1; }
node24_headers="${node_h%/include/node/node.h}"
# code-server writes a default config under $XDG_CONFIG_HOME on every start, even for --version: keep it here.
cs() { XDG_CONFIG_HOME="$CODE_SERVER_DIR/.xdg/config" XDG_DATA_HOME="$CODE_SERVER_DIR/.xdg/data" "$node24" "$entry" "$@"; }

# --- code-server ------------------------------------------------------------------------------------------
if [ -f "$marker" ] && [ -f "$entry" ] && cs --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  did+=("code-server@$CODE_SERVER_VERSION already in $CODE_SERVER_DIR (skipped)")
else
  begin "npm install code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR (builds native modules; takes minutes)"
  rm -rf "$CODE_SERVER_DIR" && mkdir -p "$CODE_SERVER_DIR"
  echo '{ "private": true }' >"$CODE_SERVER_DIR/package.json"
  # npm must itself run on Node 24: code-server's postinstall reads the Node version from npm's user agent.
  # npm_config_nodedir points node-gyp at Node 24's bundled headers (there is no nodejs.org download here).
  # Under `npm test` the parent npm's npm_config_user_agent ("… node/v20 …") would be read as the nested npm's own
  # config, and code-server's postinstall would refuse Node 20: drop the parent's npm_* variables.
  (cd "$CODE_SERVER_DIR" && env -u npm_config_user_agent -u npm_execpath -u npm_node_execpath -u npm_config_node_gyp \
    PATH="$(dirname "$node24"):$PATH" npm_config_nodedir="$node24_headers" \
    npm install --no-save --no-audit --no-fund --no-package-lock "code-server@$CODE_SERVER_VERSION")
  spdlog="$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  [ -f "$spdlog" ] || { echo "error: code-server's native modules were not built ($spdlog is missing)" >&2; exit 1; }
  cs --version | grep -q "^$CODE_SERVER_VERSION " || { echo "error: code-server does not start" >&2; exit 1; }
  touch "$marker"
  done_step "npm: code-server@$CODE_SERVER_VERSION -> $CODE_SERVER_DIR"
fi

echo
echo "Editor test dependencies:"
for line in "${did[@]}"; do echo "  - $line"; done
echo "  chromium:    $(command -v chromium) ($(chromium --version 2>/dev/null | head -n1))"
echo "  node 24:     $node24"
echo "  code-server: $entry ($(cs --version 2>/dev/null | head -n1))"
