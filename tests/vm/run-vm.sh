#!/usr/bin/env bash
# tests/vm/run-vm.sh - boot the TCP-AO test guest under QEMU (software
# emulation: KVM cannot run stock kernels on this host), capture its serial
# console, print the scenario's result block on stdout.
#
# Usage: run-vm.sh --kernel BZIMAGE --initrd INITRD --console FILE
#                  [--timeout SECONDS] [--netns NS --tap TAP] [--mac MAC]
#   --timeout  hard bound on QEMU (default 600); the guest's own bound on
#              the scenario is 30 s less (kernel argument bgpd_vm.timeout).
#   --netns/--tap  attach a virtio-net NIC to tap device TAP, which must exist
#              in host namespace NS (QEMU runs in NS to open it).
# Exit status: the scenario's (from the result block's rc=N), or 1 when the
# block is missing (guest crash, timeout) - never 0 without a result.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

kernel="" initrd="" console="" timeout=600 netns="" tap="" mac="52:54:00:12:34:56"
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) kernel=$2; shift 2;;
    --initrd) initrd=$2; shift 2;;
    --console) console=$2; shift 2;;
    --timeout) timeout=$2; shift 2;;
    --netns) netns=$2; shift 2;;
    --tap) tap=$2; shift 2;;
    --mac) mac=$2; shift 2;;
    *) vm_die "run-vm: unknown argument $1";;
  esac
done
[ -r "$kernel" ] && [ -r "$initrd" ] && [ -n "$console" ] ||
  vm_die "usage: run-vm.sh --kernel BZIMAGE --initrd INITRD --console FILE [--timeout S]" \
    "[--netns NS --tap TAP]"
[ "$timeout" -gt 60 ] || vm_die "--timeout must exceed 60 s"
vm_need_packages qemu-system-x86
command -v qemu-system-x86_64 >/dev/null || vm_die "qemu-system-x86_64 not found"

# -cpu max (RDRAND) and virtio-rng seed the guest's RNG at once, so OpenSSL's
# getrandom() never waits; one vCPU leaves the shared host a core.
cmd=(qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 -nographic -no-reboot
     -kernel "$kernel" -initrd "$initrd"
     -append "console=ttyS0 panic=-1 loglevel=4 bgpd_vm.timeout=$((timeout - 30))"
     -device virtio-rng-pci)
if [ -n "$tap" ]; then
  [ -n "$netns" ] || vm_die "--tap needs --netns"
  cmd=(ip netns exec "$netns" "${cmd[@]}"
       -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
       -device "virtio-net-pci,netdev=n0,mac=$mac")
else
  cmd+=(-nic none)
fi

start=$(date +%s)
# -nographic puts the serial console on stdio; stdin from /dev/null so QEMU
# never waits on a terminal. timeout -k: SIGTERM, then SIGKILL 10 s later.
status=0
timeout -k 10 "$timeout" "${cmd[@]}" </dev/null >"$console" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  vm_log "QEMU killed after ${timeout}s (console: $console)"
fi
block=$(tr -d '\r' <"$console" |
  sed -n '/^@@BGPD-VM-RESULT-BEGIN@@$/,/^@@BGPD-VM-RESULT-END rc=[0-9]*@@$/p')
end=$(printf '%s\n' "$block" | sed -n 's/^@@BGPD-VM-RESULT-END rc=\([0-9]*\)@@$/\1/p')
if [ -z "$end" ]; then
  tail -30 "$console" >&2 || true
  vm_die "no result block on the console after ${elapsed}s (QEMU status $status; console: $console)"
fi
printf '%s\n' "$block" | sed '1d;$d'
vm_log "guest ran ${elapsed}s, scenario rc=$end"
exit "$end"
