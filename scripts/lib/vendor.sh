# Shared by scripts/serve and scripts/test (sourced, not run).
#
# `ensure_vendor` makes Entrega's front-end libraries (age encryption, QR codes, QR scanning)
# ready: Debian's nodejs and npm when missing, `npm ci` from package-lock.json (exact
# versions and integrity hashes; --ignore-scripts: no package runs anything on install)
# when node_modules is missing or older than the lockfile, then scripts/build-vendor.mjs,
# which writes build/vendor/ (served under /vendor/) and does nothing when its inputs did
# not change. Third-party code is never in git. Without it the rest of Cartilla still works
# and the Entrega screen says what is missing, so a failure here is a warning, not an exit.

_vendor_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_vendor() {
  local need=()
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  if [ ${#need[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
      echo "Installing ${need[*]} from Debian (for Entrega's encryption and QR files) ..."
      { _vendor_as_root apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive _vendor_as_root apt-get install -y -qq "${need[@]}" >/dev/null; } ||
        echo "Could not install ${need[*]}; Entrega will say it is unavailable." >&2
    fi
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "Note: Node.js and npm are missing; Entrega (sending a bundle encrypted) is unavailable." >&2
    return 0
  fi
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "Installing Entrega's front-end libraries from package-lock.json (npm ci) ..."
    if npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; then
      touch node_modules
    else
      echo "npm ci failed; Entrega will say it is unavailable." >&2
      return 0
    fi
  fi
  node scripts/build-vendor.mjs --if-changed ||
    echo "The vendor build failed; Entrega will say it is unavailable." >&2
}
