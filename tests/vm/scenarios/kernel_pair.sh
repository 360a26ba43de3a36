#!/bin/sh
# tests/vm/scenarios/kernel_pair.sh - runs INSIDE the guest as /scenario
# (tests/vm/kernel_pair.py): two bgpd on the guest kernel's TCP-AO (global
# ao.backend "kernel"), tls required + ao opportunistic, in namespaces r1
# (passive) and r2 joined by a veth (10.71.1.0/24, fd00:71:1::/64);
# /payload holds r1.json, r2.json and the certificates made on the host.
# ao_capture records the veth in r1 from before the daemons start; the
# capture and r1's key log go back to the host with the result. It only
# gathers (guest-lib.sh write_result); the host asserts.
set -u
# shellcheck source=tests/vm/scenarios/guest-lib.sh
. /lib/bgpd-vm.sh

ip netns add r1 && ip netns add r2 &&
  ip link add eth1 netns r1 type veth peer name eth1 netns r2 || log "namespace setup failed"
for n in 1 2; do
  ip -n "r$n" link set lo up
  ip -n "r$n" addr add "10.71.1.$n/24" dev eth1
  ip -n "r$n" addr add "fd00:71:1::$n/64" dev eth1 nodad
  ip -n "r$n" link set eth1 up
done

both_established() { established r1 2 && established r2 2; }
routes_in() {
  has_route r1 ipv4 10.64.100.0/24 && has_route r1 ipv6 fd64:100::/48 &&
    has_route r2 ipv4 10.63.100.0/24 && has_route r2 ipv6 fd63:100::/48
}
defaults_gone() { default_gone r1 && default_gone r2; }

# /usr/sbin/ip, not the ip() wrapper: $! must be ao_capture itself (ip
# netns exec execs it), not a subshell the TERM below would stop instead.
/usr/sbin/ip netns exec r1 ao_capture --interface eth1 --pcap /tmp/r1.pcap >/tmp/capture.log 2>&1 &
capture_pid=$!
wait_for capture_ready 10 grep -q '^ready$' /tmp/capture.log

# r1 is passive and listens before r2 exists.
start_bgpd r1 r1 && start_bgpd r2 r2 &&
  wait_for established 60 both_established &&
  wait_for routes 30 routes_in &&
  wait_for default_key_deleted 20 defaults_gone
# Keepalives (every 3 s) on the derived keys once the default MKT is gone.
sleep 7
kill -TERM "$capture_pid"
wait "$capture_pid"
capture_rc=$?
{
  echo ", \"capture\": {\"exit\": $capture_rc,"
  echo " \"stats\": $(grep '^{' /tmp/capture.log || echo null),"
  echo " \"pcap_base64\": $(base64_json /tmp/r1.pcap)},"
  echo " \"r1_keylog_base64\": $(base64_json /tmp/r1.aokeys)"
} >/tmp/extra.json
RESULT_EXTRA=/tmp/extra.json write_result r1 r2
