# shellcheck shell=sh
# tests/vm/scenarios/guest-lib.sh - helpers for guest scenarios (busybox sh),
# installed as /lib/bgpd-vm.sh by make-initramfs.sh. Every wait is bounded.
# A node is a bgpd whose control socket is /run/<node>/bgpd.sock.

log() { echo "scenario: $*"; }

# iproute2's ip (netns, veth): busybox sh runs its own applets before PATH,
# and busybox's ip has neither; a function comes first.
ip() { /usr/sbin/ip "$@"; }

# The reply of a bgpcli --json command, or null when it fails.
cli_json() {
  node=$1; shift
  out=$(bgpcli --socket "/run/$node/bgpd.sock" --json "$@" 2>/dev/null) && [ -n "$out" ] &&
    echo "$out" || echo null
}

# wait_for NAME SECONDS COMMAND...: polls COMMAND every 0.5 s; records the
# seconds it took, or "timeout", under NAME in $WAITS (a JSON members list).
WAITS=""
wait_for() {
  name=$1 limit=$2; shift 2
  start=$(date +%s)
  while ! "$@" >/dev/null 2>&1; do
    if [ $(( $(date +%s) - start )) -ge "$limit" ]; then
      log "$name: timeout after ${limit}s"
      WAITS="$WAITS${WAITS:+, }\"$name\": \"timeout\""
      return 1
    fi
    sleep 0.5
  done
  log "$name after $(( $(date +%s) - start ))s"
  WAITS="$WAITS${WAITS:+, }\"$name\": $(( $(date +%s) - start ))"
}

# established NODE COUNT: at least COUNT sessions Established at NODE.
established() {
  [ "$(cli_json "$1" show neighbors | grep -o '"state": *"Established"' | wc -l)" -ge "$2" ]
}
# has_route NODE FAMILY PREFIX
has_route() { cli_json "$1" show rib "$2" | grep -q "\"$3\""; }
# default_gone NODE: no TCP-AO key with KeyID 0 (the default MKT) left.
default_gone() { ! cli_json "$1" show neighbors | tr -d ' \n' | grep -q '"recv_id":0,'; }

# start_bgpd NODE [NETNS]: bgpd with /payload/NODE.json, log /tmp/NODE.log;
# waits for its control socket.
start_bgpd() {
  mkdir -p "/run/$1"
  if [ -n "${2:-}" ]; then
    ip netns exec "$2" bgpd --config "/payload/$1.json" --log-level debug >"/tmp/$1.log" 2>&1 &
  else
    bgpd --config "/payload/$1.json" --log-level debug >"/tmp/$1.log" 2>&1 &
  fi
  wait_for "$1_socket" 20 test -S "/run/$1/bgpd.sock"
}

# node_json NODE: {"neighbors", "ao", "rib_ipv4", "rib_ipv6"} of NODE.
node_json() {
  echo "{\"neighbors\": $(cli_json "$1" show neighbors),"
  echo " \"ao\": $(cli_json "$1" show ao),"
  echo " \"rib_ipv4\": $(cli_json "$1" show rib ipv4),"
  echo " \"rib_ipv6\": $(cli_json "$1" show rib ipv6)}"
}

# base64_json FILE: FILE in base64 as a JSON array of lines ([] if missing):
# how a scenario hands a capture or a key log back through the console.
base64_json() {
  echo "["
  [ -f "$1" ] && base64 "$1" | sed 's/.*/"&"/; $!s/$/,/'
  echo "]"
}

# write_result NODE...: the result object into $VM_RESULT, then each
# node's log tail on the console (for a failing run's diagnosis). A file
# named by $RESULT_EXTRA adds its members (", \"name\": value ...").
write_result() {
  {
    echo "{\"kernel\": \"$(uname -r)\","
    echo " \"tcp_ao_config\": \"$(zcat /proc/config.gz | grep '^CONFIG_TCP_AO=')\","
    echo " \"waits\": {$WAITS},"
    # TcpExt TCPAOBad: segments the kernel's TCP-AO refused for a bad MAC.
    echo " \"tcp_ao_bad\": $(awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[i] = $i; h = 1 }
      else for (i = 1; i <= NF; i++) if (n[i] == "TCPAOBad") print $i }' /proc/net/netstat | grep . || echo null)"
    for node in "$@"; do echo ", \"$node\": $(node_json "$node")"; done
    [ -z "${RESULT_EXTRA:-}" ] || cat "$RESULT_EXTRA"
    echo "}"
  } >"$VM_RESULT"
  for node in "$@"; do
    echo "----- $node log (last 60 lines) -----"
    tail -n 60 "/tmp/$node.log"
  done
}
