#!/usr/bin/env bash
# tests/vm/make-initramfs.sh - pack a gzip'd newc initramfs for the TCP-AO
# test guest: busybox-static, dynamically linked host binaries with the
# shared libraries `ldd` lists (and the loader, same paths as on the host),
# a payload directory, the scenario script and tests/vm/init.
#
# Usage: make-initramfs.sh --out FILE --scenario SCRIPT [--payload DIR]
#                          [--bin PATH]...
#   --bin      a host executable, installed as /usr/bin/<name> (stripped of
#              debug info); iproute2's `ip` is always added as /usr/sbin/ip
#              because busybox's ip has no netns or veth.
#   --payload  copied to /payload in the guest (configs, certificates).
#   --scenario installed as /scenario; tests/vm/init runs it as PID 1's child;
#              scenarios/guest-lib.sh, its helpers, as /lib/bgpd-vm.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

out="" scenario="" payload="" bins=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2;;
    --scenario) scenario=$2; shift 2;;
    --payload) payload=$2; shift 2;;
    --bin) bins+=("$2"); shift 2;;
    *) vm_die "make-initramfs: unknown argument $1";;
  esac
done
[ -n "$out" ] && [ -r "$scenario" ] ||
  vm_die "usage: make-initramfs.sh --out FILE --scenario SCRIPT [--payload DIR] [--bin PATH]..."
vm_need_packages busybox-static cpio iproute2 binutils gzip

root=$(mktemp -d /tmp/bgpd-vm-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc,payload,var/run}
cp /bin/busybox "$root/bin/busybox"
# Applet links, except `ip` (iproute2's comes first on PATH anyway).
for applet in $(/bin/busybox --list); do
  [ "$applet" = ip ] || [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done

# copy_with_libs SRC DEST: the executable plus every library ldd resolves
# and the ELF loader, at their host paths (symlinks followed).
copy_with_libs() {
  local src=$1 dest=$2 lib
  install -D -m 0755 "$src" "$root$dest"
  strip --strip-debug "$root$dest" 2>/dev/null || true
  ldd "$src" | awk '/=> \// {print $3} /^[[:space:]]*\// {print $1}' | while read -r lib; do
    [ -e "$root$lib" ] && continue
    install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}
ldd "$(command -v ip)" >/dev/null || vm_die "ldd on ip failed"
copy_with_libs "$(readlink -f "$(command -v ip)")" /usr/sbin/ip
for bin in "${bins[@]}"; do
  [ -x "$bin" ] || vm_die "not an executable: $bin"
  copy_with_libs "$bin" "/usr/bin/$(basename "$bin")"
done

install -m 0755 "$here/init" "$root/init"
install -m 0755 "$scenario" "$root/scenario"
install -D -m 0644 "$here/scenarios/guest-lib.sh" "$root/lib/bgpd-vm.sh"
[ -z "$payload" ] || cp -a "$payload/." "$root/payload/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
vm_log "initramfs $out ($(du -h "$out" | cut -f1))"
