import { describe, expect, it } from 'vitest';
import { decode, encodeInput, fromBase64, fromHex, guessEncoding, matches, toBase64, toHex, toJsonLine, utf8 } from './decode';

const enc = (s: string) => new TextEncoder().encode(s);

describe('decode', () => {
  it('shows UTF-8 text, and says when bytes are not UTF-8', () => {
    expect(decode(enc('héllo ✓'), 'text')).toEqual({ text: 'héllo ✓' });
    const bad = decode(new Uint8Array([0x68, 0xff, 0x69]), 'text');
    expect(bad.error).toBe('not valid UTF-8');
    expect(bad.text).toBe('h\uFFFDi');
  });
  it('pretty-prints JSON and falls back to the text when it does not parse', () => {
    expect(decode(enc('{"a":1,"b":[true]}'), 'json').text).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
    const r = decode(enc('{"a":'), 'json');
    expect(r.text).toBe('{"a":');
    expect(r.error).toMatch(/^not JSON/);
  });
  it('hex breaks lines every 16 bytes', () => {
    const bytes = new Uint8Array(17).map((_, i) => i);
    expect(toHex(bytes)).toBe('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n10');
    expect(decode(new Uint8Array([0xde, 0xad]), 'hex').text).toBe('de ad');
  });
  it('base64 round-trips all byte values and large arrays', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(fromBase64(toBase64(all))).toEqual(all);
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    expect(fromBase64(toBase64(big))).toEqual(big);
    expect(toBase64(enc('hi'))).toBe('aGk=');
    expect(fromBase64('aGk')).toEqual(enc('hi'));
    expect(fromBase64('-_8')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(() => fromBase64('a*b')).toThrow();
  });
  it('hex input parses with whitespace and rejects odd or bad digits', () => {
    expect(fromHex('de ad\nBE EF')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
    expect(encodeInput('6869', 'hex')).toEqual(enc('hi'));
    expect(encodeInput('hi', 'text')).toEqual(enc('hi'));
  });
  it('guesses json, text or hex', () => {
    expect(guessEncoding(enc(' {"x": 2} '))).toBe('json');
    expect(guessEncoding(enc('plain words\n'))).toBe('text');
    expect(guessEncoding(enc('{not json'))).toBe('text');
    expect(guessEncoding(new Uint8Array([1, 2, 3]))).toBe('hex');
    expect(guessEncoding(new Uint8Array([0xc3]))).toBe('hex');
    expect(utf8(new Uint8Array([0xc3])).valid).toBe(false);
  });
  it('writes JSON lines with base64 data and text when UTF-8', () => {
    const line = toJsonLine(
      { SequenceNumber: '49', PartitionKey: 'k', ApproximateArrivalTimestamp: new Date(0), Data: enc('hi') },
      'shardId-000000000000',
    );
    expect(JSON.parse(line)).toEqual({
      shardId: 'shardId-000000000000',
      sequenceNumber: '49',
      partitionKey: 'k',
      approximateArrivalTimestamp: '1970-01-01T00:00:00.000Z',
      data: 'aGk=',
      text: 'hi',
    });
    expect(JSON.parse(toJsonLine({ Data: new Uint8Array([0xff]) })).text).toBeUndefined();
  });
  it('filters by partition key prefix and by text, case-insensitive', () => {
    const r = { PartitionKey: 'user-42', Data: enc('Order PLACED') };
    expect(matches(r, '', '')).toBe(true);
    expect(matches(r, 'user-4', '')).toBe(true);
    expect(matches(r, 'user-5', '')).toBe(false);
    expect(matches(r, '', 'placed')).toBe(true);
    expect(matches(r, '', 'shipped')).toBe(false);
  });
});
