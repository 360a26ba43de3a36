"""bgpd refuses to start with a TLS setup it cannot use safely (profile
section 1: private key files with loose permissions are refused; the TLS
files are required as soon as a neighbor uses TLS): exit status 1 and an
error naming the JSON pointer of the culprit. A control config with the
same files, key 0600, starts and answers its CLI.

bgpd runs inside a namespace of this run (it would listen on port 179).

Usage (root, repository root): /usr/bin/python3 -m tests.interop.tls.startup
"""

import dataclasses
import json
import os
import shutil
import subprocess
import sys

from tests.harness import netns, process
from tests.harness.daemons import bgpd as bgpd_adapter, bgpd_config
from tests.harness.model import Neighbor, Speaker
from tests.interop.tls import common

BUDGET = 30
EXIT_TIMEOUT = 10.0


def write_config(directory, name, speaker):
    path = os.path.join(directory, f"{name}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(bgpd_config.render(speaker, os.path.join(directory, f"{name}.sock")), f)
    return path


def refused(checks, ns, name, config, pointer, field=""):
    """bgpd with `config` exits 1, names the JSON `pointer` and `field`."""
    argv = process.in_netns(ns, [bgpd_adapter._binary("BGPD_BIN", "bgpd"), "--config", config])
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=EXIT_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        checks(f"{name}: bgpd refused to start", False, f"still running after {EXIT_TIMEOUT}s")
        return
    output = proc.stdout + proc.stderr
    checks(f"{name}: bgpd exits 1 naming {pointer} {field}",
           proc.returncode == 1 and pointer in output and field in output,
           f"exit {proc.returncode}: {output.strip()[-300:]!r}")


def main():
    common.start_budget(BUDGET, "tls_startup")
    checks = common.Checks("tls_startup")
    run_id = netns.new_run_id()
    run_dir = netns.new_run_dir(run_id)
    ns = f"{run_id}-dut"
    daemon = None
    try:
        netns.create(ns)
        certs = common.Certs(os.path.join(run_dir, "certs"))
        files = certs.router("dut", certs.ca("lab"), ["192.0.2.1"])
        neighbor = Neighbor("192.0.2.2", "192.0.2.1", 65002, tls=common.tls("required"))
        speaker = Speaker("dut", 65001, "192.0.2.1", [neighbor], [], tls=files)

        loose = os.path.join(certs.dir, "loose.key")
        shutil.copy(files.key_file, loose)
        os.chmod(loose, 0o640)
        refused(checks, ns, "key readable by group", write_config(
            run_dir, "loose", dataclasses.replace(speaker, tls=dataclasses.replace(
                files, key_file=loose))), "/global/tls", "key_file")
        refused(checks, ns, "missing CA file", write_config(
            run_dir, "noca", dataclasses.replace(speaker, tls=dataclasses.replace(
                files, ca_file=os.path.join(certs.dir, "absent.pem")))), "/global/tls/ca_file")
        refused(checks, ns, "TLS neighbor without global tls",
                write_config(run_dir, "notls", dataclasses.replace(speaker, tls=None)),
                "/global/tls")

        control = write_config(run_dir, "ok", speaker)
        daemon = process.Daemon(ns, [bgpd_adapter._binary("BGPD_BIN", "bgpd"), "--config",
                                     control], os.path.join(run_dir, "ok.pid"),
                                os.path.join(run_dir, "ok.log"))
        socket_path = os.path.join(run_dir, "ok.sock")
        try:
            process.wait_until(lambda: os.path.exists(socket_path) or not daemon.alive(), 10,
                               "bgpd's control socket")
        except TimeoutError:
            pass
        with open(daemon.log_file, encoding="utf-8", errors="replace") as f:
            log = f.read()
        checks("control: bgpd starts with the same files and a 0600 key",
               daemon.alive() and os.path.exists(socket_path), log.strip()[-300:])
    finally:
        if daemon:
            daemon.stop()
        netns.delete(ns)
        shutil.rmtree(run_dir, ignore_errors=True)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
