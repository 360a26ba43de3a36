#!/usr/bin/env python3
"""Fails when a module includes what docs/architecture.md forbids.

Rules (the dependency direction of the architecture):
  - aotls never includes bgpd;
  - pure cores (bgpd/wire, fsm, rib, policy, config; aotls/crypto, segment,
    keys, rekey) include no Asio, no socket headers and no shell module.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
PURE = ["bgpd/wire", "bgpd/fsm", "bgpd/rib", "bgpd/policy", "bgpd/config",
        "aotls/crypto", "aotls/segment", "aotls/keys", "aotls/rekey"]
SHELL_INCLUDES = re.compile(
    r"^(boost/asio|sys/socket\.h|netinet/|linux/|bgpd/(session|api|daemon|cli)/"
    r"|aotls/backend/|common/log\.hpp)")
RULES = [
    ("aotls", re.compile(r"^bgpd/"), "aotls must never include bgpd"),
] + [(core, SHELL_INCLUDES, "pure core must not include I/O shells") for core in PURE]


def violations():
    for prefix, forbidden, why in RULES:
        base = ROOT / prefix
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".hpp", ".cpp", ".h"):
                continue
            for included in INCLUDE.findall(path.read_text(errors="replace")):
                if forbidden.search(included):
                    yield f"{path.relative_to(ROOT)}: includes {included}: {why}"


def main():
    found = list(violations())
    for line in found:
        print(line)
    checked = sum(1 for p in PURE + ["aotls"] if (ROOT / p).is_dir())
    print(f"layering: {checked} module roots checked, {len(found)} violations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
