# Sourced by the tools/ scripts: repository root, Node 24 from node_modules first on PATH,
# dependencies installed when package-lock.json changed, TypeScript compiled to dist/.
SEXTANT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SEXTANT_ROOT
# kafkajs 2.2 computes negative timeouts on Node >= 23 (harmless; Node clamps them to 1 ms).
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=false KAFKAJS_NO_PARTITIONER_WARNING=1
export SEXTANT_STATE="${SEXTANT_STATE:-$SEXTANT_ROOT/.sextant}"
mkdir -p "$SEXTANT_STATE"

sextant_log() { printf '\033[1;34m[sextant]\033[0m %s\n' "$*" >&2; }
sextant_die() { printf '\033[1;31m[sextant] %s\033[0m\n' "$*" >&2; exit 1; }

# Installs the locked dependencies when node_modules is missing or older than the lock file.
# (`npm install --no-save` rather than `npm ci`: the lock names optional native binaries for other
# platforms that some registries do not mirror, which `npm ci` refuses and `npm install` skips.)
sextant_install() {
  local stamp="$SEXTANT_ROOT/node_modules/.sextant-installed"
  if [ ! -f "$stamp" ] || [ "$SEXTANT_ROOT/package-lock.json" -nt "$stamp" ]; then
    command -v npm >/dev/null || sextant_die "npm is missing: install Node.js (any version with npm); the project brings its own Node 24"
    sextant_log "installing dependencies (npm install from package-lock.json)"
    (cd "$SEXTANT_ROOT" && npm install --no-save --no-audit --no-fund --loglevel=error) || sextant_die "npm install failed"
    touch "$stamp"
  fi
  export PATH="$SEXTANT_ROOT/node_modules/.bin:$PATH"
  node -e 'process.exit(+process.versions.node.split(".")[0] === 24 ? 0 : 1)' \
    || sextant_die "expected Node 24 from node_modules/.bin, got $(node -v)"
}

# Compile apps/, libs/ and tools/ TypeScript into dist/ with swc (about a second).
sextant_build() {
  (cd "$SEXTANT_ROOT" && swc apps libs tools -d dist --quiet --copy-files --ignore '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts' >/dev/null) \
    || sextant_die "build failed"
}
