#!/bin/sh
# tests/vm/scenarios/seq_wrap.sh - runs INSIDE the guest as /scenario
# (tests/vm/seq_wrap.py, scenario 5): ao_seq_wrap makes a kernel TCP-AO
# connection cross the 2^32 sequence wrap over loopback, once per run named
# in /payload/runs (lines "NAME ARGS..."), each with its own capture. The
# result holds each run's report and its pcap in base64 lines; the host
# verifies (this script only gathers).
set -u
# shellcheck source=tests/vm/scenarios/guest-lib.sh
. /lib/bgpd-vm.sh

ip addr add 127.0.0.2/8 dev lo 2>/dev/null
first=1
{
  echo "{\"kernel\": \"$(uname -r)\","
  echo " \"tcp_ao_config\": \"$(zcat /proc/config.gz | grep '^CONFIG_TCP_AO=')\","
  echo " \"runs\": {"
  while read -r name args; do
    [ -n "$name" ] || continue
    log "run $name: ao_seq_wrap $args" >&2
    # shellcheck disable=SC2086 # ARGS are words by design
    ao_seq_wrap $args --pcap "/tmp/$name.pcap" --report "/tmp/$name.json" >"/tmp/$name.log" 2>&1
    rc=$?
    log "run $name: exit $rc" >&2
    [ "$first" = 1 ] || echo ","
    first=0
    echo "\"$name\": {\"exit\": $rc, \"report\": $(cat "/tmp/$name.json" 2>/dev/null || echo null),"
    echo " \"stderr\": \"$(tr -d '\\"' <"/tmp/$name.log" | tr '\n' ' ')\","
    echo " \"pcap_base64\": $(base64_json "/tmp/$name.pcap")}"
  done </payload/runs
  echo "},"
  echo " \"tcp_ao_netstat\": {$(awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[i] = $i; h = 1 }
      else for (i = 1; i <= NF; i++) if (n[i] ~ /^TCPAO/) printf "%s\"%s\": %s", (c++ ? ", " : ""), n[i], $i }' /proc/net/netstat)}"
  echo "}"
} >"$VM_RESULT"
