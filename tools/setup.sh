# Sourced by tools/run.sh and tools/test.sh: installs the Debian packages the build needs (when
# run as root and something is missing), then configures and builds into build/.
# HASTORE_BUILD_DIR overrides the build directory; CI=true turns warnings into errors.
# HASTORE_EXTRA_PACKAGES (an array set before sourcing) adds packages: the test servers.
# HASTORE_BUILD_TARGETS (an array set before sourcing) builds only those targets and what they
# link (tools/run.sh: the hastore command); unset, everything is built, the tests too.

HASTORE_EXTRA_PACKAGES=("${HASTORE_EXTRA_PACKAGES[@]+"${HASTORE_EXTRA_PACKAGES[@]}"}")
HASTORE_BUILD_TARGETS=("${HASTORE_BUILD_TARGETS[@]+"${HASTORE_BUILD_TARGETS[@]}"}")
HASTORE_PACKAGES=(build-essential cmake pkg-config liburing-dev libxxhash-dev liblmdb-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libgtest-dev libgmock-dev
  libbenchmark-dev unixodbc unixodbc-dev libsqliteodbc libboost-dev libssl-dev)

hastore_install_packages() {
  local missing=()
  for p in "${HASTORE_PACKAGES[@]}" "${HASTORE_EXTRA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "hastore: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    return 1
  fi
  echo "hastore: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Registers the ODBC drivers the stores and tests name ("SQLite3", and "PostgreSQL Unicode"
# where psqlODBC is installed) with unixODBC, from the templates their packages ship, when
# their install scripts did not (a driver missing from odbcinst.ini fails every JDBC open).
hastore_register_odbc_drivers() {
  local name template
  for name in "SQLite3=/usr/share/sqliteodbc/unixodbc.ini" "PostgreSQL Unicode=/usr/share/psqlodbc/odbcinst.ini.template"; do
    template=${name#*=}
    name=${name%%=*}
    [ -f "$template" ] || continue
    odbcinst -q -d -n "$name" >/dev/null 2>&1 && continue
    if [ "$(id -u)" -ne 0 ]; then
      echo "hastore: the ODBC driver \"$name\" is not registered (run as root, or: odbcinst -i -d -f $template)" >&2
      return 1
    fi
    echo "hastore: registering the ODBC driver \"$name\"" >&2
    odbcinst -i -d -f "$template" >/dev/null
  done
}

hastore_build() {
  local werror=OFF
  [ "${CI:-}" = "true" ] && werror=ON
  HASTORE_BUILD_DIR=${HASTORE_BUILD_DIR:-build}
  cmake -S . -B "$HASTORE_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHASTORE_WERROR=$werror >/dev/null
  local targets=() t
  for t in "${HASTORE_BUILD_TARGETS[@]}"; do targets+=(--target "$t"); done
  cmake --build "$HASTORE_BUILD_DIR" -j2 "${targets[@]}"
}

hastore_install_packages
hastore_register_odbc_drivers
hastore_build
