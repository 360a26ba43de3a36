#!/bin/sh
# tests/vm/scenarios/kernel_userspace.sh - runs INSIDE the guest as /scenario
# (tests/vm/kernel_userspace.py): one bgpd "g" on the guest kernel's TCP-AO
# (ao.backend "kernel") on eth0 (10.72.1.2/24, fd00:72:1::2/64), the tap
# link to a host namespace where a bgpd with the user-space backend runs.
# The IPv4 session is opened by the guest, the IPv6 one by the host.
# Stays up HOLD seconds after its own checks so the host can read its side.
set -u
# shellcheck source=tests/vm/scenarios/guest-lib.sh
. /lib/bgpd-vm.sh
# A rekeying run (kernel_userspace.py --rekey) asks for longer in /payload/hold.
HOLD=$(cat /payload/hold 2>/dev/null || echo 15)

ip link set eth0 up
ip addr add 10.72.1.2/24 dev eth0
ip addr add fd00:72:1::2/64 dev eth0 nodad

routes_in() { has_route g ipv4 10.73.100.0/24 && has_route g ipv6 fd73:100::/48; }

if [ -e /payload/negative ]; then
  # A wrong static key (kernel_userspace_static.py): nothing may come up;
  # the result shows what the kernel counted meanwhile.
  start_bgpd g
  sleep "$HOLD"
else
  start_bgpd g &&
    wait_for established 60 established g 2 &&
    wait_for routes 30 routes_in &&
    wait_for default_key_deleted 20 default_gone g
  sleep "$HOLD"
fi
write_result g
