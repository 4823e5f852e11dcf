// Turning record bytes into something a person can read, and back.

export type Encoding = 'text' | 'json' | 'hex' | 'base64';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const looseUtf8 = new TextDecoder('utf-8');

/** The bytes as UTF-8; `valid` is false when they are not UTF-8 (U+FFFD stands in then). */
export function utf8(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), valid: true };
  } catch {
    return { text: looseUtf8.decode(bytes), valid: false };
  }
}

/** Lower-case hex, a space between bytes and a newline every 16 bytes, like `xxd -p`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += i % 16 === 0 ? '\n' : ' ';
    out += bytes[i].toString(16).padStart(2, '0');
  }
  return out;
}

/** Hex digits (whitespace ignored) to bytes; throws on an odd count or a non-hex digit. */
export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error('not hex: need pairs of 0-9a-f');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(bin);
}

/** Standard or URL-safe base64, padding optional; throws on anything else. */
export function fromBase64(s: string): Uint8Array {
  let clean = s.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (/[^A-Za-z0-9+/=]/.test(clean)) throw new Error('not base64');
  while (clean.length % 4 !== 0) clean += '=';
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The bytes shown as `enc`. For 'json', text that does not parse is shown as it is with an
 * `error`; for 'text', bytes that are not UTF-8 carry an `error` too.
 */
export function decode(bytes: Uint8Array, enc: Encoding): { text: string; error?: string } {
  switch (enc) {
    case 'hex':
      return { text: toHex(bytes) };
    case 'base64':
      return { text: toBase64(bytes) };
    case 'text': {
      const u = utf8(bytes);
      return u.valid ? { text: u.text } : { text: u.text, error: 'not valid UTF-8' };
    }
    case 'json': {
      const u = utf8(bytes);
      try {
        return { text: JSON.stringify(JSON.parse(u.text), null, 2) };
      } catch (e) {
        return { text: u.text, error: 'not JSON: ' + (e as Error).message };
      }
    }
  }
}

/** The encoding a record is best shown in: JSON if it parses, text if UTF-8 without control bytes, else hex. */
export function guessEncoding(bytes: Uint8Array): Encoding {
  const u = utf8(bytes);
  if (!u.valid) return 'hex';
  const t = u.text.trim();
  if ((t.startsWith('{') || t.startsWith('[')) && isJson(t)) return 'json';
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000e-\u001f]/.test(u.text) ? 'hex' : 'text';
}

function isJson(t: string): boolean {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** Text typed into the producer, as bytes: `enc` says how to read it. */
export function encodeInput(input: string, enc: 'text' | 'hex' | 'base64'): Uint8Array {
  if (enc === 'hex') return fromHex(input);
  if (enc === 'base64') return fromBase64(input);
  return new TextEncoder().encode(input);
}

export interface RecordLike {
  SequenceNumber?: string;
  PartitionKey?: string;
  ApproximateArrivalTimestamp?: Date;
  Data?: Uint8Array;
  EncryptionType?: string;
}

/** One JSON line per record: data in base64 always, and as text too when it is UTF-8. */
export function toJsonLine(r: RecordLike, shardId?: string): string {
  const data = r.Data ?? new Uint8Array();
  const u = utf8(data);
  const o: Record<string, unknown> = {
    shardId,
    sequenceNumber: r.SequenceNumber,
    partitionKey: r.PartitionKey,
    approximateArrivalTimestamp: r.ApproximateArrivalTimestamp?.toISOString(),
    data: toBase64(data),
  };
  if (u.valid) o.text = u.text;
  return JSON.stringify(o);
}

/** Whether the record passes the browser's filters: partition key exact-or-prefix, text anywhere in the UTF-8 data. */
export function matches(r: RecordLike, key: string, text: string): boolean {
  if (key && !(r.PartitionKey ?? '').startsWith(key)) return false;
  if (text && !utf8(r.Data ?? new Uint8Array()).text.toLowerCase().includes(text.toLowerCase())) return false;
  return true;
}
