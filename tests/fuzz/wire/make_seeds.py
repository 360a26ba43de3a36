#!/usr/bin/python3
"""Writes the seed corpora of the wire fuzz targets (run once; the files are
kept in the tree). Each seed is hex, annotated like the unit tests."""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "ff" * 16


def raw(text):
    return bytes.fromhex(re.sub(r"#[^\n]*", "", text).replace(" ", "").replace("\n", ""))


def message(mtype, body):
    b = raw(body)
    return raw(MARKER) + (19 + len(b)).to_bytes(2, "big") + bytes([mtype]) + b


OPEN = """04 fde9 005a c0000201 1e 02 1c
01 04 0001 00 01  01 04 0002 00 01  02 00  06 00  40 02 0078  41 04 0000fde9  46 00"""
OPEN_EXT = "04 5ba0 00b4 00000001 ff ff 0009 02 0006 41 04 fa56ea00"
OPEN_GR = "04 fde9 005a c0000201 0e 02 0c 40 0a 8078 0001 01 80 0002 01 00"
UPDATE_V4 = """0003 10 0a01 0022 40 01 01 00 40 02 06 02 02 fde9 fdea 40 03 04 c0000201
80 04 04 00000064 c0 08 04 fde90064 18 c63364 08 0a"""
UPDATE_V6 = """0000 003f 90 0e 002a 0002 01 20 20010db8000000000000000000000001
fe800000000000000000000000000001 00 20 20010db8 40 01 01 02
40 02 0a 02 02 0000fde9 fa56ea00"""
UPDATE_AS4 = """0000 0027 40 01 01 00 40 02 08 02 03 fde9 5ba0 fdea 40 03 04 c0000201
c0 11 0e 02 03 0000fde9 fa56ea00 0000fdea 08 0a"""
UPDATE_EOR6 = "0000 0007 90 0f 0003 0002 01"
NOTIF = "06 02 0b 6d61696e74656e616e6365"

SEEDS = {
    "header": {
        "keepalive": b"\x00" + message(4, ""),
        "two": b"\x01" + message(4, "") + message(2, "0000 0000"),
        "extended": b"\x03" + raw(MARKER + "1001 02"),
        "bad_marker": b"\x00" + raw("00" * 16 + "0013 04"),
    },
    "open": {"full": raw(OPEN), "extended_params": raw(OPEN_EXT), "graceful": raw(OPEN_GR)},
    "update": {
        "v4_2octet": b"\x00" + raw(UPDATE_V4),
        "v6_4octet": b"\x01" + raw(UPDATE_V6),
        "as4": b"\x00" + raw(UPDATE_AS4),
        "eor_v6": b"\x05" + raw(UPDATE_EOR6),
    },
    "notification": {
        "shutdown": raw(NOTIF),
        "hold_timer": raw("04 00"),
        "bad_utf8": raw("06 04 03 ff c3 28"),
    },
    "route_refresh": {
        "request": raw("0001 00 01"),
        "borr": raw("0002 01 01"),
        "eorr": raw("0002 02 01"),
    },
    "message": {
        "open": b"\x00" + message(1, OPEN),
        "update_v6": b"\x01" + message(2, UPDATE_V6),
        "stream": b"\x00" + message(4, "") + message(2, UPDATE_V4) + message(3, NOTIF)
        + message(5, "0001 00 01"),
    },
}

for target, seeds in SEEDS.items():
    directory = os.path.join(HERE, "corpus-fuzz_wire_" + target)
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
