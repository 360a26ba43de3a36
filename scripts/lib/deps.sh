# scripts/lib/deps.sh - install what the build and tests need (Debian 12).
# Sourced by scripts/test and scripts/demo; idempotent and quiet when all is
# present already.

# Build toolchain and libraries (Debian packages only; Boost is the
# distribution's 1.74).
BGPD_BUILD_PACKAGES=(
  cmake ninja-build g++ clang-14 libclang-rt-14-dev
  libssl-dev libboost-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  pkg-config openssl
  libnetfilter-queue-dev
  libpcap-dev
)
# Test tooling: namespaces, real BGP peers, schema checks, captures.
BGPD_TEST_PACKAGES=(
  iproute2 procps psmisc iptables
  bird2 frr gobgpd exabgp
  python3 python3-yaml python3-jsonschema python3-regex
  openssl tshark
  python3-cryptography
)
# Answers for packages that would otherwise ask: tests capture as root, so
# wireshark-common needs no setuid dumpcap (and no wireshark group).
BGPD_DEBCONF_SELECTIONS=(
  "wireshark-common wireshark-common/install-setuid boolean false"
)

bgpd_missing_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  # Nothing missing prints nothing (printf would print one empty line).
  [ "${#missing[@]}" -eq 0 ] || printf '%s\n' "${missing[@]}"
}

bgpd_install_packages() {
  local missing
  mapfile -t missing < <(bgpd_missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { echo "need root to install: ${missing[*]}" >&2; return 1; }
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packaged daemons (bird, frr, gobgpd) must not start system services:
  # tests start their own instances inside namespaces.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
  fi
  printf '%s\n' "${BGPD_DEBCONF_SELECTIONS[@]}" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  local rc=$?
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  return $rc
}
