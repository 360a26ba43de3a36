# shellcheck shell=bash
# tests/vm/lib.sh - shared helpers for the TCP-AO VM bench (sourced).
# Owns: package installation for the VM tools, the kernel cache location.

vm_die() { echo "vm: FAIL: $*" >&2; exit 1; }
vm_log() { echo "vm: $*" >&2; }

# shellcheck source=../../scripts/lib/deps.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/deps.sh"

# vm_need_packages pkg... - install what is missing, as scripts/test does.
vm_need_packages() {
  bgpd_install_packages "$@" || vm_die "cannot install: $*"
}

# shellcheck disable=SC2034  # used by the scripts that source this file
VM_CACHE_ROOT=${BGPD_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bgpd-vm}
