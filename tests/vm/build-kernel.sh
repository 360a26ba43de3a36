#!/usr/bin/env bash
# tests/vm/build-kernel.sh - build (once) a minimal Linux 6.12 with TCP-AO for
# the QEMU test guest, from Debian's linux-source-6.12 package.
#
# Prints the path of the cached bzImage on stdout. The cache is
#   ${BGPD_VM_CACHE:-~/.cache/bgpd-vm}/kernel-<pkgversion>-<confighash>/
# so a rerun with the same package version and config fragment skips the
# build (4 min on 2 idle cores, 10 on a loaded machine; it needs ~3 GB, which
# is checked first). An interrupted build resumes from its tree
# (build-<pkgversion>-<confighash>/, removed once the kernel is cached).
# Fails (exit 1) loudly on anything missing: the VM tests must not skip.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

pkg=linux-source-6.12
fragment="$here/kernel.config"
[ -r "$fragment" ] || vm_die "missing $fragment"

vm_need_packages flex bison libelf-dev bc busybox-static qemu-system-x86 cpio \
  make gcc libc6-dev xz-utils

version=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  apt-get update -qq || vm_die "apt-get update failed"
  version=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
fi
[ -n "$version" ] && [ "$version" != "(none)" ] || vm_die "no candidate for $pkg"
# The hash covers the options only: editing a comment keeps the cache.
confighash=$(grep '^CONFIG_' "$fragment" | sort | sha256sum | cut -c1-12)
dest="$VM_CACHE_ROOT/kernel-$version-$confighash"
image="$dest/bzImage"

mkdir -p "$VM_CACHE_ROOT"
# One builder at a time: a concurrent run waits (bounded) and then reuses.
exec 9>"$VM_CACHE_ROOT/.build.lock"
flock -w 1800 9 || vm_die "timed out waiting for $VM_CACHE_ROOT/.build.lock"
if [ -s "$image" ]; then
  vm_log "cached kernel: $image"
  echo "$image"
  exit 0
fi

# The build tree is kept until the kernel is in the cache, so a build cut
# short (a test's time budget, a kill) resumes where make stopped. Only the
# lock holder builds: trees of other versions or configs are leftovers.
work="$VM_CACHE_ROOT/build-$version-$confighash"
for old in "$VM_CACHE_ROOT"/build-* "$VM_CACHE_ROOT"/kernel-*.tmp; do
  [ -e "$old" ] && [ "$old" != "$work" ] && rm -rf "$old"
done
src="$work/$pkg"
start=$(date +%s)
if [ ! -e "$work/configured" ]; then
  rm -rf "$work"
  mkdir -p "$work"
  avail_kb=$(df -Pk "$VM_CACHE_ROOT" | awk 'NR==2 {print $4}')
  [ "$avail_kb" -ge $((3 * 1024 * 1024)) ] ||
    vm_die "need ~3 GB free under $VM_CACHE_ROOT to build the kernel, have $((avail_kb / 1024)) MB"
  vm_log "building $pkg $version (config $confighash) in $work; 5-10 min on 2 cores"
  (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$version") ||
    vm_die "apt-get download $pkg=$version failed"
  dpkg-deb --fsys-tarfile "$work"/${pkg}_*.deb |
    tar -xO "./usr/src/$pkg.tar.xz" | tar -xJ -C "$work" || vm_die "cannot unpack $pkg"
  rm -f "$work"/${pkg}_*.deb
  (
    cd "$src"
    make -s tinyconfig
    ./scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null
    make -s olddefconfig
  ) || vm_die "kernel configuration failed"
  # olddefconfig silently drops options whose dependencies are unmet: check
  # that every requested option survived.
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=y) grep -qx "$line" "$src/.config" || vm_die "config lost $line (unmet dependency?)";;
    esac
  done < "$fragment"
  touch "$work/configured"
else
  vm_log "resuming the build in $work"
fi
jobs=${BGPD_VM_JOBS:-2}
(cd "$src" && make -s -j"$jobs" bzImage >"$work/build.log" 2>&1) ||
  { tail -40 "$work/build.log" >&2; vm_die "kernel build failed (log: $work/build.log)"; }

mkdir -p "$dest.tmp"
cp "$src/arch/x86/boot/bzImage" "$dest.tmp/bzImage"
cp "$src/.config" "$dest.tmp/config"
echo "$version" > "$dest.tmp/pkgversion"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
rm -rf "$work"
vm_log "kernel built in $(( $(date +%s) - start )) s: $image"
echo "$image"
