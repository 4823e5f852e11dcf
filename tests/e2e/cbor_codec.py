"""A small, strict CBOR (RFC 8949) codec for the CBOR end-to-end tests.

Our own rather than python3-cbor2 because the tests must see the wire exactly:
cbor2 turns tag 1 into a datetime (reading the number as seconds), which hides
whether the server sent integer milliseconds, seconds, or a float. Here every
tag decodes to Tagged(tag, value) and floats stay floats.

The encoder can write indefinite-length maps and arrays the way Jackson's
CBORGenerator (inside the AWS SDK for Java) does.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Tagged:
    tag: int
    value: object


class CborError(ValueError):
    pass


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 1 << 8:
        return bytes([major << 5 | 24, n])
    if n < 1 << 16:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    if n < 1 << 32:
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    return bytes([major << 5 | 27]) + struct.pack(">Q", n)


def encode(value, indefinite: bool = False) -> bytes:
    """Encodes None/bool/int/float/str/bytes/list/dict/Tagged. indefinite=True writes
    maps and arrays with indefinite length (0xBF/0x9F ... 0xFF), as Jackson does."""
    out = bytearray()
    _encode(value, out, indefinite)
    return bytes(out)


def _encode(v, out: bytearray, indefinite: bool) -> None:
    if v is None:
        out.append(0xF6)
    elif v is True:
        out.append(0xF5)
    elif v is False:
        out.append(0xF4)
    elif isinstance(v, int):
        out += _head(0, v) if v >= 0 else _head(1, -1 - v)
    elif isinstance(v, float):
        out += b"\xfb" + struct.pack(">d", v)
    elif isinstance(v, str):
        raw = v.encode("utf-8")
        out += _head(3, len(raw)) + raw
    elif isinstance(v, (bytes, bytearray)):
        out += _head(2, len(v)) + bytes(v)
    elif isinstance(v, Tagged):
        out += _head(6, v.tag)
        _encode(v.value, out, indefinite)
    elif isinstance(v, (list, tuple)):
        out += b"\x9f" if indefinite else _head(4, len(v))
        for item in v:
            _encode(item, out, indefinite)
        if indefinite:
            out.append(0xFF)
    elif isinstance(v, dict):
        out += b"\xbf" if indefinite else _head(5, len(v))
        for key, item in v.items():
            _encode(key, out, indefinite)
            _encode(item, out, indefinite)
        if indefinite:
            out.append(0xFF)
    else:
        raise TypeError(f"cannot CBOR-encode {type(v).__name__}")


_BREAK = object()


def decode(data: bytes):
    """Decodes exactly one CBOR item that must fill all of data."""
    value, pos = _decode(data, 0)
    if value is _BREAK:
        raise CborError("unexpected break")
    if pos != len(data):
        raise CborError(f"{len(data) - pos} trailing bytes after CBOR item")
    return value


def _need(data: bytes, pos: int, n: int) -> None:
    if pos + n > len(data):
        raise CborError("truncated CBOR")


def _decode(data: bytes, pos: int):
    _need(data, pos, 1)
    ib = data[pos]
    pos += 1
    major, info = ib >> 5, ib & 0x1F
    if ib == 0xFF:
        return _BREAK, pos
    if major == 7:
        if info == 20:
            return False, pos
        if info == 21:
            return True, pos
        if info in (22, 23):
            return None, pos
        if info == 25:
            _need(data, pos, 2)
            return struct.unpack(">e", data[pos:pos + 2])[0], pos + 2
        if info == 26:
            _need(data, pos, 4)
            return struct.unpack(">f", data[pos:pos + 4])[0], pos + 4
        if info == 27:
            _need(data, pos, 8)
            return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
        raise CborError(f"unsupported simple value {info}")
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        _need(data, pos, size)
        n = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    elif info == 31 and major in (2, 3, 4, 5):
        n = None
    else:
        raise CborError(f"bad additional info {info} for major type {major}")
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        if n is None:
            chunks = []
            while True:
                chunk, pos = _decode(data, pos)
                if chunk is _BREAK:
                    break
                chunks.append(chunk)
            joined = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
            return (joined if major == 2 else joined.decode("utf-8")), pos
        _need(data, pos, n)
        raw = bytes(data[pos:pos + n])
        return (raw if major == 2 else raw.decode("utf-8")), pos + n
    if major == 4:
        items = []
        while n is None or len(items) < n:
            item, pos = _decode(data, pos)
            if item is _BREAK:
                if n is not None:
                    raise CborError("break inside definite array")
                break
            items.append(item)
        return items, pos
    if major == 5:
        result = {}
        while n is None or len(result) < n:
            key, pos = _decode(data, pos)
            if key is _BREAK:
                if n is not None:
                    raise CborError("break inside definite map")
                break
            value, pos = _decode(data, pos)
            result[key] = value
        return result, pos
    if major == 6:
        value, pos = _decode(data, pos)
        return Tagged(n, value), pos
    raise CborError("unreachable")
