// Reading the Prometheus text exposition format that runnel serves at /metrics.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const suffixes = ['_bucket', '_sum', '_count', '_total', '_created'];

/** Families by name; a sample whose family has no # TYPE line gets a family of its own name. */
export function parseProm(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) {
        const f = family(m[2]);
        if (m[1] === 'TYPE') f.type = m[3];
        else f.help = m[3].replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      continue;
    }
    const s = parseSample(line);
    if (!s) continue;
    const base = suffixes.map((x) => (s.name.endsWith(x) ? s.name.slice(0, -x.length) : '')).find((b) => b && families.has(b));
    family(families.has(s.name) ? s.name : base ?? s.name).samples.push(s);
  }
  return families;
}

/** One sample line: name, optional {labels}, value, optional timestamp. Null when malformed. */
export function parseSample(line: string): Sample | null {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) return null;
  const name = m[1];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(i));
      if (!lm) return null;
      i += lm[0].length;
      let v = '';
      for (;;) {
        const c = line[i++];
        if (c === undefined) return null;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          v += e === 'n' ? '\n' : e;
        } else v += c;
      }
      labels[lm[1]] = v;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = parseValue(rest[0]);
  if (value === null) return null;
  return { name, labels, value };
}

function parseValue(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

export interface Histogram {
  /** Cumulative counts by upper bound, ascending, +Inf last. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/**
 * A histogram family's buckets, summed over every label set that `keep` accepts (all by default),
 * e.g. request latency across all operations.
 */
export function histogram(f: Family | undefined, keep: (labels: Record<string, string>) => boolean = () => true): Histogram {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const s of f?.samples ?? []) {
    if (!keep(s.labels)) continue;
    if (s.name.endsWith('_bucket')) {
      const le = parseValue(s.labels.le);
      if (le !== null) byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    } else if (s.name.endsWith('_sum')) sum += s.value;
    else if (s.name.endsWith('_count')) count += s.value;
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

/** Per-bucket (not cumulative) counts, for drawing a histogram's bars. */
export function bucketCounts(h: Histogram): { le: number; count: number }[] {
  return h.buckets.map((b, i) => ({ le: b.le, count: b.count - (i ? h.buckets[i - 1].count : 0) }));
}

/** Prometheus's histogram_quantile: linear within the bucket; the last finite bound when it falls in +Inf. NaN with no observations. */
export function quantile(h: Histogram, q: number): number {
  const b = h.buckets;
  if (!b.length) return NaN;
  const total = b[b.length - 1].count;
  if (total === 0) return NaN;
  const rank = q * total;
  let i = b.findIndex((x) => x.count >= rank);
  if (i < 0) i = b.length - 1;
  if (b[i].le === Infinity) return i > 0 ? b[i - 1].le : NaN;
  const lo = i > 0 ? b[i - 1].le : 0;
  const below = i > 0 ? b[i - 1].count : 0;
  const inBucket = b[i].count - below;
  return inBucket === 0 ? b[i].le : lo + ((b[i].le - lo) * (rank - below)) / inBucket;
}

/** The sum of a family's samples grouped by one or more labels, e.g. requests by operation. Zero groups left out. */
export function sumBy(f: Family | undefined, labels: string[], name?: string): { key: string[]; value: number }[] {
  const m = new Map<string, { key: string[]; value: number }>();
  for (const s of f?.samples ?? []) {
    if (name && s.name !== name) continue;
    const key = labels.map((l) => s.labels[l] ?? '');
    const k = key.join('\u0000');
    const e = m.get(k) ?? { key, value: 0 };
    e.value += s.value;
    m.set(k, e);
  }
  return [...m.values()].filter((e) => e.value !== 0).sort((a, b) => b.value - a.value);
}
