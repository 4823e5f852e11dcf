"""Readers of Snappy data for the e2e suites, written from Google's format
descriptions (snappy's format_description.txt and framing_format.txt) and
Hadoop's BlockCompressorStream framing, independently of runnel's writer
(which uses libsnappy). Debian's python3-snappy cannot serve here: its C
extension fails on Python >= 3.10 ("PY_SSIZE_T_CLEAN macro must be defined").
"""
from __future__ import annotations

import struct


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = data[at]
        at += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, at
        shift += 7


def uncompress_block(data: bytes) -> bytes:
    """One raw Snappy block: a varint length, then literals and copies."""
    length, at = _varint(data, 0)
    out = bytearray()
    while at < len(data):
        tag = data[at]
        at += 1
        kind = tag & 3
        if kind == 0:  # literal
            n = tag >> 2
            if n >= 60:
                extra = n - 59
                n = int.from_bytes(data[at:at + extra], "little")
                at += extra
            n += 1
            out += data[at:at + n]
            at += n
            continue
        if kind == 1:
            n = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | data[at]
            at += 1
        elif kind == 2:
            n = (tag >> 2) + 1
            offset = int.from_bytes(data[at:at + 2], "little")
            at += 2
        else:
            n = (tag >> 2) + 1
            offset = int.from_bytes(data[at:at + 4], "little")
            at += 4
        if offset == 0 or offset > len(out):
            raise ValueError("bad Snappy copy offset")
        for _ in range(n):  # copies may overlap their own output
            out.append(out[-offset])
    if len(out) != length:
        raise ValueError("Snappy block length mismatch")
    return bytes(out)


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def uncompress_framed(data: bytes, check_crc: bool = True) -> bytes:
    """The framing format: a stream identifier, then typed chunks."""
    if not data.startswith(b"\xff\x06\x00\x00sNaPpY"):
        raise ValueError("no Snappy stream identifier")
    at, out = 0, bytearray()
    while at < len(data):
        kind = data[at]
        n = int.from_bytes(data[at + 1:at + 4], "little")
        chunk = data[at + 4:at + 4 + n]
        at += 4 + n
        if kind in (0x00, 0x01):
            crc = struct.unpack("<I", chunk[:4])[0]
            plain = uncompress_block(chunk[4:]) if kind == 0 else chunk[4:]
            if check_crc and _masked(plain) != crc:
                raise ValueError("Snappy chunk checksum mismatch")
            out += plain
        elif kind < 0x80 and kind != 0xFF:
            raise ValueError("reserved unskippable chunk")
    return bytes(out)


def uncompress_hadoop(data: bytes) -> bytes:
    """Hadoop's BlockCompressorStream: per block, its raw length, then
    length-prefixed compressed chunks (big-endian u32s)."""
    at, out = 0, bytearray()
    while at < len(data):
        raw = struct.unpack(">I", data[at:at + 4])[0]
        at += 4
        got = bytearray()
        while len(got) < raw:
            n = struct.unpack(">I", data[at:at + 4])[0]
            got += uncompress_block(data[at + 4:at + 4 + n])
            at += 4 + n
        out += got
    return bytes(out)
