// Parquet files written by runnel's own writer (src/parquet), read back by
// two readers nobody here wrote: DuckDB (@duckdb/node-api) and hyparquet.
// Every row must come back exactly as written (timestamps: DuckDB to the
// microsecond, hyparquet to the nanosecond; decimals: DuckDB exactly,
// hyparquet as the nearest double, which is all it offers), and the footer
// must say what docs/parquet.md says: the Hive type mapping, codecs,
// dictionary encodings, row groups and statistics.
//
// The files come from runnel_parquet_samples: RUNNEL_PARQUET_SAMPLES_BIN runs
// it into a temp dir (the `parquet_readback` ctest entry sets it), or
// RUNNEL_PARQUET_SAMPLES_DIR names files already written. Without either,
// or without the npm modules, the tests are skipped with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

let skip = false;
let duckdb, hyparquet;
try {
  duckdb = await import('@duckdb/node-api');
  hyparquet = await import('hyparquet');
} catch (e) {
  skip = `parquet-readback: SKIP: npm modules missing (run npm ci in tests/e2e/node): ${e.message}`;
}

let dir = process.env.RUNNEL_PARQUET_SAMPLES_DIR;
let ownDir = false;
if (!skip && !dir) {
  const bin = process.env.RUNNEL_PARQUET_SAMPLES_BIN;
  if (!bin) {
    skip = 'parquet-readback: SKIP: set RUNNEL_PARQUET_SAMPLES_BIN (runnel_parquet_samples) or RUNNEL_PARQUET_SAMPLES_DIR';
  } else {
    dir = mkdtempSync(join(tmpdir(), 'runnel-parquet-'));
    ownDir = true;
    execFileSync(bin, [dir], { stdio: 'inherit' });
  }
}
if (skip) console.log(skip);
const manifest = skip ? [] : JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
process.on('exit', () => { if (ownDir) rmSync(dir, { recursive: true, force: true }); });

const expected = name => JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8'));
const file = name => join(dir, `${name}.parquet`);
const hex = bytes => Buffer.from(bytes).toString('hex');
const INT_KINDS = new Set(['tinyint', 'smallint', 'int', 'bigint']);
const STRING_KINDS = new Set(['string', 'char', 'varchar']);

// "-123.45" -> -12345n (the unscaled value).
const unscaled = s => BigInt(s.replace('.', ''));
// Nanoseconds since the epoch -> microseconds, rounded down (DuckDB's INT96).
const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

// DuckDB's values (getRowObjects) in the expected JSON's form.
function fromDuck(t, v) {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'boolean': return v;
    case 'tinyint': case 'smallint': case 'int': case 'bigint': return String(v);
    case 'float': case 'double': return v;
    case 'decimal': assert.equal(v.scale, t.scale); return { unscaled: v.value };
    case 'string': case 'char': case 'varchar': return v;
    case 'binary': return hex(v.bytes);
    case 'timestamp': return { micros: v.micros };
    case 'date': return v.days;
    case 'array': return v.items.map(x => fromDuck(t.children[0], x));
    case 'map': return v.entries.map(({ key, value }) => [fromDuck(t.children[0], key), fromDuck(t.children[1], value)]);
    case 'struct': return Object.fromEntries(t.fields.map(([n, ft]) => [n, fromDuck(ft, v.entries[n])]));
  }
  throw new Error(`unknown kind ${t.kind}`);
}

// The expected JSON in the form fromDuck() gives.
function forDuck(t, v) {
  if (v === null) return null;
  switch (t.kind) {
    case 'decimal': return { unscaled: unscaled(v) };
    case 'timestamp': return { micros: floorDiv(BigInt(v), 1000n) };
    case 'array': return v.map(x => forDuck(t.children[0], x));
    case 'map': return v.map(([k, x]) => [forDuck(t.children[0], k), forDuck(t.children[1], x)]);
    case 'struct': return Object.fromEntries(t.fields.map(([n, ft]) => [n, forDuck(ft, v[n])]));
    default: return v;
  }
}

// hyparquet's values in the expected JSON's form. Maps come back as plain
// objects (keys as strings, the last of equal keys wins); decimals as doubles.
function fromHyp(t, v) {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'tinyint': case 'smallint': case 'int': case 'bigint': return String(v);
    case 'binary': return hex(v);
    case 'timestamp': return String(v);  // nanoseconds (parser below)
    case 'decimal': return { approx: v };
    case 'array': return v.map(x => fromHyp(t.children[0], x));
    case 'map': return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromHyp(t.children[1], x)]));
    case 'struct': return Object.fromEntries(t.fields.map(([n, ft]) => [n, fromHyp(ft, v[n])]));
    default: return v;
  }
}

function forHyp(t, v) {
  if (v === null) return null;
  switch (t.kind) {
    case 'decimal': return { approx: Number(v) };
    case 'array': return v.map(x => forHyp(t.children[0], x));
    case 'map': {
      const o = {};
      for (const [k, x] of v) o[String(k)] = forHyp(t.children[1], x);
      return o;
    }
    case 'struct': return Object.fromEntries(t.fields.map(([n, ft]) => [n, forHyp(ft, v[n])]));
    default: return v;
  }
}

// Decimals wider than a double's 15 digits lose digits in hyparquet (it
// divides a double by 10^scale); allow that rounding and nothing more.
function approxEqual(actual, want, where) {
  if (want && typeof want === 'object' && 'approx' in want) {
    assert.ok(actual && typeof actual === 'object' && 'approx' in actual, `${where}: expected a decimal`);
    const a = actual.approx, b = want.approx;
    assert.ok(a === b || Math.abs(a - b) <= 1e-15 * Math.abs(b), `${where}: ${a} != ${b}`);
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, want.length, `${where}: length`);
    want.forEach((w, i) => approxEqual(actual[i], w, `${where}[${i}]`));
    return;
  }
  if (want && typeof want === 'object') {
    assert.ok(actual && typeof actual === 'object', `${where}: expected an object, got ${actual}`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(want).sort(), `${where}: keys`);
    for (const k of Object.keys(want)) approxEqual(actual[k], want[k], `${where}.${k}`);
    return;
  }
  assert.equal(actual, want, where);
}

let instance;
async function duck() {
  instance ??= await duckdb.DuckDBInstance.create(':memory:');
  return instance.connect();
}

const sqlPath = p => `'${p.replaceAll("'", "''")}'`;

for (const entry of manifest) {
  const { name } = entry;

  test(`${name}: DuckDB reads back every row exactly`, async () => {
    const exp = expected(name);
    const con = await duck();
    const reader = await con.runAndReadAll(`SELECT * FROM read_parquet(${sqlPath(file(name))})`);
    const rows = reader.getRowObjects();
    assert.equal(rows.length, entry.rows);
    assert.deepEqual(reader.columnNames(), exp.columns);
    rows.forEach((row, r) => {
      exp.columns.forEach((c, i) => {
        assert.deepEqual(fromDuck(exp.types[i], row[c]), forDuck(exp.types[i], exp.rows[r][i]), `row ${r} column ${c}`);
      });
    });
  });

  test(`${name}: hyparquet reads back every row`, async () => {
    const exp = expected(name);
    const buf = readFileSync(file(name));
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const rows = await hyparquet.parquetReadObjects({
      file: ab,
      utf8: false,  // binary stays bytes; UTF8-annotated columns are still strings
      compressors: { GZIP: input => new Uint8Array(gunzipSync(input)) },
      parsers: { timestampFromNanoseconds: n => n, dateFromDays: d => d },
    });
    assert.equal(rows.length, entry.rows);
    rows.forEach((row, r) => {
      exp.columns.forEach((c, i) => {
        approxEqual(fromHyp(exp.types[i], row[c]), forHyp(exp.types[i], exp.rows[r][i]), `row ${r} column ${c}`);
      });
    });
  });

  test(`${name}: the footer has the codec, row groups, encodings and statistics written`, async () => {
    const exp = expected(name);
    const con = await duck();
    const md = (await con.runAndReadAll(`SELECT * FROM parquet_metadata(${sqlPath(file(name))})`)).getRowObjectsJS();
    const groups = new Set(md.map(m => m.row_group_id));
    assert.equal(groups.size, entry.row_groups);
    if (name.startsWith('all_types_')) assert.ok(entry.row_groups >= 3, 'several row groups');
    for (const m of md) assert.equal(m.compression, entry.compression, m.path_in_schema);
    const dictChunks = md.filter(m => m.encodings.includes('RLE_DICTIONARY'));
    if (!entry.dictionary) assert.equal(dictChunks.length, 0, 'no dictionary pages when disabled');
    else if (entry.rows > 0) assert.ok(dictChunks.length > 0, 'dictionary pages when enabled');
    for (const m of dictChunks) assert.notEqual(m.type, 'BOOLEAN');

    // Statistics of the top-level integer, string and decimal columns against
    // the rows of each row group.
    let first = 0;
    for (const g of [...groups].sort((a, b) => Number(a) - Number(b))) {
      const chunks = md.filter(m => m.row_group_id === g);
      const n = Number(chunks[0].row_group_num_rows);
      const slice = exp.rows.slice(first, first + n);
      first += n;
      exp.columns.forEach((c, i) => {
        const t = exp.types[i];
        const m = chunks.find(x => x.path_in_schema === c);
        if (!m) return;
        const vals = slice.map(r => r[i]);
        assert.equal(Number(m.stats_null_count), vals.filter(v => v === null).length, `${c} null_count`);
        const present = vals.filter(v => v !== null);
        let lo, hi, show = x => String(x);
        if (INT_KINDS.has(t.kind)) {
          const b = present.map(BigInt).sort((a, z) => (a < z ? -1 : a > z ? 1 : 0));
          [lo, hi] = [b[0], b.at(-1)];
        } else if (STRING_KINDS.has(t.kind)) {
          const b = present.map(s => Buffer.from(s)).sort(Buffer.compare);
          [lo, hi] = [b[0], b.at(-1)];
          show = x => x.toString();
        } else if (t.kind === 'decimal') {
          const b = present.map(unscaled).sort((a, z) => (a < z ? -1 : a > z ? 1 : 0));
          [lo, hi] = [b[0], b.at(-1)];
          show = x => new duckdb.DuckDBDecimalValue(x, t.precision, t.scale).toString();
        } else {
          return;
        }
        if (present.length === 0) {
          assert.equal(m.stats_min_value, null, `${c} min of an all-null chunk`);
          return;
        }
        assert.equal(m.stats_min_value, show(lo), `${c} min in row group ${g}`);
        assert.equal(m.stats_max_value, show(hi), `${c} max in row group ${g}`);
      });
    }
    if (name === 'dict_fallback') {
      const uniq = md.find(m => m.path_in_schema === 'uniq');
      assert.ok(uniq.encodings.includes('RLE_DICTIONARY') && uniq.encodings.includes('PLAIN'), uniq.encodings);
      const low = md.find(m => m.path_in_schema === 'low');
      assert.ok(low.encodings.includes('RLE_DICTIONARY'), low.encodings);
    }
  });
}

// The schema as Hive lays it out (docs/parquet.md's mapping table), read by
// hyparquet's own Thrift decoder.
test('the schema follows the Hive type mapping', { skip }, async () => {
  const buf = readFileSync(file('defaults'));
  const md = hyparquet.parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const byName = new Map();
  md.schema.forEach((s, i) => { if (!byName.has(s.name)) byName.set(s.name, { ...s, index: i }); });
  const leaf = (n, type, extra = {}) => {
    const s = byName.get(n);
    assert.equal(s.type, type, n);
    assert.equal(s.repetition_type, 'OPTIONAL', n);
    for (const [k, v] of Object.entries(extra)) assert.deepEqual(s[k], v, `${n}.${k}`);
  };
  assert.equal(md.schema[0].name, 'hive_schema');
  leaf('b', 'BOOLEAN');
  leaf('ti', 'INT32', { converted_type: 'INT_8', logical_type: { type: 'INTEGER', bitWidth: 8, isSigned: true } });
  leaf('si', 'INT32', { converted_type: 'INT_16', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } });
  leaf('i', 'INT32', { converted_type: undefined });
  leaf('bi', 'INT64');
  leaf('f', 'FLOAT');
  leaf('d', 'DOUBLE');
  leaf('dec', 'FIXED_LEN_BYTE_ARRAY', { type_length: 5, converted_type: 'DECIMAL', precision: 10, scale: 2 });
  leaf('dec38', 'FIXED_LEN_BYTE_ARRAY', { type_length: 16, precision: 38, scale: 6 });
  leaf('dec_small', 'FIXED_LEN_BYTE_ARRAY', { type_length: 2, precision: 3, scale: 0 });
  for (const n of ['s', 'c', 'vc']) leaf(n, 'BYTE_ARRAY', { converted_type: 'UTF8', logical_type: { type: 'STRING' } });
  leaf('bin', 'BYTE_ARRAY', { converted_type: undefined });
  leaf('ts', 'INT96');
  leaf('dt', 'INT32', { converted_type: 'DATE', logical_type: { type: 'DATE' } });
  assert.ok(byName.has('userid') && !byName.has('UserId'), 'column names are lower-cased');
  // array<int>: optional group arr (LIST) { repeated group list { optional int32 element } }
  const arr = byName.get('arr');
  assert.equal(arr.converted_type, 'LIST');
  assert.deepEqual([md.schema[arr.index + 1].name, md.schema[arr.index + 1].repetition_type], ['list', 'REPEATED']);
  assert.deepEqual([md.schema[arr.index + 2].name, md.schema[arr.index + 2].repetition_type], ['element', 'OPTIONAL']);
  // map<string,bigint>: optional group m (MAP) { repeated group key_value { required key; optional value } }
  const m = byName.get('m');
  assert.equal(m.converted_type, 'MAP');
  assert.deepEqual([md.schema[m.index + 1].name, md.schema[m.index + 1].repetition_type], ['key_value', 'REPEATED']);
  assert.deepEqual([md.schema[m.index + 2].name, md.schema[m.index + 2].repetition_type], ['key', 'REQUIRED']);
  assert.deepEqual([md.schema[m.index + 3].name, md.schema[m.index + 3].repetition_type], ['value', 'OPTIONAL']);
  // struct field names are lower-cased too.
  assert.ok(md.schema.some(s => s.name === 'b' && s.type === 'BYTE_ARRAY'), 'st.B became st.b');
  assert.equal(md.created_by, 'runnel version 0.1.0');
});
