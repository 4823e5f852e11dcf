// ORC files written by runnel's own writer (src/orc), read back by Apache
// ORC's C++ library as ClickHouse embeds it (chDB, npm `chdb`; ClickHouse's
// ORC input with input_format_orc_use_fast_decoder=0 goes through Arrow's
// ORC adapter, i.e. the ORC project's own reader). Every row must come back
// as written, and equality searches with ClickHouse's ORC filter push-down
// on (row group statistics and bloom filters) must still find every row.
//
// The files come from runnel_orc_samples: RUNNEL_ORC_SAMPLES_BIN runs it
// into a temp dir (the `orc_readback` ctest entry sets it), or
// RUNNEL_ORC_SAMPLES_DIR names files already written. Without either, or
// without the npm module, the tests are skipped with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let skip = false;
let chdb;
try {
  chdb = await import('chdb');
} catch (e) {
  skip = `orc-readback: SKIP: npm module chdb missing (run npm ci in tests/e2e/node): ${e.message}`;
}
let dir = process.env.RUNNEL_ORC_SAMPLES_DIR;
let ownDir = false;
if (!skip && !dir) {
  const bin = process.env.RUNNEL_ORC_SAMPLES_BIN;
  if (!bin) {
    skip = 'orc-readback: SKIP: set RUNNEL_ORC_SAMPLES_BIN (runnel_orc_samples) or RUNNEL_ORC_SAMPLES_DIR';
  } else {
    dir = mkdtempSync(join(tmpdir(), 'runnel-orc-'));
    ownDir = true;
    execFileSync(bin, [dir], { stdio: 'inherit' });
  }
}
if (skip) console.log(skip);
const manifest = skip ? [] : JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
process.on('exit', () => { if (ownDir) rmSync(dir, { recursive: true, force: true }); });

const sqlString = s => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const ident = s => '`' + s.replaceAll('`', '``') + '`';
// One thread: with more, ClickHouse reads stripes in parallel and the rows come out in any order
// (seen as wrong values at a row number under load).
const SETTINGS = 'max_threads=1, max_parsing_threads=1, input_format_parallel_parsing=0, ' +
  'input_format_orc_use_fast_decoder=0, output_format_json_quote_64bit_integers=1, ' +
  'output_format_json_quote_decimals=1, output_format_decimal_trailing_zeros=1, ' +
  'output_format_json_map_as_array_of_tuples=1, output_format_json_named_tuples_as_objects=1';

// The ClickHouse type to read a Hive type as. Primitives are Nullable;
// ClickHouse has no Nullable arrays, maps or tuples, nor Nullable map keys.
function chType(t, nullable = true) {
  const n = s => (nullable ? `Nullable(${s})` : s);
  switch (t.kind) {
    case 'boolean': return n('Bool');
    case 'tinyint': return n('Int8');
    case 'smallint': return n('Int16');
    case 'int': return n('Int32');
    case 'bigint': return n('Int64');
    case 'float': return n('Float32');
    case 'double': return n('Float64');
    case 'decimal': return n(`Decimal(${t.precision}, ${t.scale})`);
    case 'string': case 'char': case 'varchar': case 'binary': return n('String');
    case 'timestamp': return n("DateTime64(9, 'UTC')");
    case 'date': return n('Int32');  // days since 1970-01-01, beyond Date32's range too
    case 'array': return `Array(${chType(t.children[0])})`;
    case 'map': return `Map(${chType(t.children[0], false)}, ${chType(t.children[1])})`;
    case 'struct': return `Tuple(${t.fields.map(([f, ft]) => `${ident(f)} ${chType(ft)}`).join(', ')})`;
  }
  throw new Error(`unknown kind ${t.kind}`);
}

// What to select for a top-level column: bytes as hex, timestamps as
// nanoseconds (JSON carries neither as they are).
function selectExpr(name, t) {
  if (t.kind === 'binary') return `hex(${ident(name)}) AS ${ident(name)}`;
  if (t.kind === 'timestamp') return `toString(toUnixTimestamp64Nano(${ident(name)})) AS ${ident(name)}`;
  return ident(name);
}

function assertNoNestedBinaryOrTimestamp(t, top = true) {
  if (!top && (t.kind === 'binary' || t.kind === 'timestamp')) throw new Error('nested binary/timestamp: not compared');
  for (const c of t.children ?? []) assertNoNestedBinaryOrTimestamp(c, false);
  for (const [, ft] of t.fields ?? []) assertNoNestedBinaryOrTimestamp(ft, false);
}

// "-123.4" at scale 2 -> -12340n.
function unscaled(s, scale) {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i + f.padEnd(scale, '0'));
  return neg ? -v : v;
}

// Compares what ClickHouse read (`got`) with the expected JSON (`want`).
// A null array, map or struct reads back as an empty one or one of nulls
// (ClickHouse cannot say null there); anything else must match exactly.
function compare(t, got, want, where) {
  if (want === null) {
    if (t.kind === 'array' || t.kind === 'map') return assert.deepEqual(got, [], `${where}: null`);
    if (t.kind === 'struct') return t.fields.forEach(([f, ft]) => compare(ft, got[f], null, `${where}.${f}`));
    return assert.equal(got, null, `${where}: null`);
  }
  assert.notEqual(got, null, `${where}: got null, want ${JSON.stringify(want)}`);
  switch (t.kind) {
    case 'boolean': case 'double': case 'date': case 'string': case 'char': case 'varchar':
      return assert.equal(got, want, where);
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'timestamp':
      return assert.equal(String(got), want, where);
    case 'float': return assert.equal(Math.fround(got), Math.fround(want), where);
    case 'binary': return assert.equal(got.toLowerCase(), want, where);
    case 'decimal': return assert.equal(unscaled(got, t.scale), unscaled(want, t.scale), where);
    case 'array':
      assert.equal(got.length, want.length, `${where}: length`);
      return want.forEach((w, i) => compare(t.children[0], got[i], w, `${where}[${i}]`));
    case 'map':
      assert.equal(got.length, want.length, `${where}: entries`);
      return want.forEach(([k, v], i) => {
        compare(t.children[0], got[i].keys, k, `${where}{${i}}.key`);
        compare(t.children[1], got[i].values, v, `${where}{${i}}.value`);
      });
    case 'struct': return t.fields.forEach(([f, ft]) => compare(ft, got[f], want[f], `${where}.${f}`));
  }
  throw new Error(`unknown kind ${t.kind}`);
}

function rowsOf(text) {
  return text.split('\n').filter(Boolean).map(line => JSON.parse(line));
}

for (const entry of manifest) {
  const { name, type } = entry;
  const path = join(dir, `${name}.orc`);
  const structure = type.fields.map(([f, ft]) => `${ident(f)} ${chType(ft)}`).join(', ');
  const from = `file(${sqlString(path)}, 'ORC', ${sqlString(structure)})`;

  test(`${name}: Apache ORC's reader (in ClickHouse) reads back every row`, () => {
    type.fields.forEach(([, ft]) => assertNoNestedBinaryOrTimestamp(ft));
    const exp = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8'));
    const select = type.fields.map(([f, ft]) => selectExpr(f, ft)).join(', ');
    const got = rowsOf(chdb.query(`SELECT ${select} FROM ${from} SETTINGS ${SETTINGS}`, 'JSONEachRow'));
    assert.equal(got.length, entry.rows);
    assert.equal(exp.length, entry.rows);
    got.forEach((row, r) => type.fields.forEach(([f, ft]) => compare(ft, row[f], exp[r][f], `row ${r} ${f}`)));
  });

  if (name !== 'bloom_filters') continue;
  // With push-down on, ClickHouse hands the predicate to ORC's reader, which
  // skips row groups whose statistics or bloom filters rule the value out.
  // A wrong filter or statistic would lose rows here.
  test(`${name}: equality searches with ORC push-down find every row`, () => {
    const exp = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8'));
    let searched = 0;
    for (const [f, ft] of type.fields) {
      if (!['tinyint', 'smallint', 'int', 'bigint', 'string', 'varchar', 'date'].includes(ft.kind)) continue;
      const values = [...new Set(exp.map(r => r[f]).filter(v => v !== null))];
      // Some values of each column, spread over the file's row groups.
      for (const v of values.filter((_, i) => i % Math.max(1, Math.floor(values.length / 12)) === 0)) {
        const literal = ft.kind === 'string' || ft.kind === 'varchar' ? sqlString(v) : String(v);
        const want = exp.filter(r => r[f] === v).length;
        for (const pushdown of [0, 1]) {
          const out = chdb.query(`SELECT count() AS n FROM ${from} WHERE ${ident(f)} = ${literal} SETTINGS ${SETTINGS}, ` +
            `input_format_orc_filter_push_down=${pushdown}, input_format_orc_row_batch_size=100`, 'JSONEachRow');
          assert.equal(Number(rowsOf(out)[0].n), want, `${f} = ${literal} (push-down ${pushdown})`);
        }
        ++searched;
      }
    }
    assert.ok(searched > 40, `searched ${searched} values`);
  });
}
