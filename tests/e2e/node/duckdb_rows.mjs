// Reads a Parquet file with DuckDB (@duckdb/node-api), a reader nobody here
// wrote, for the Python end-to-end tests: prints one JSON line with the
// columns and the types DuckDB sees ({"columns": [[name, type], ...]}), then
// one line per row, the row as DuckDB's to_json() gives it (structs as
// objects, maps as objects, lists as arrays, timestamps and dates as
// strings, decimals as numbers).
//
//   node duckdb_rows.mjs FILE.parquet...   (several files: their rows in turn)
import { DuckDBInstance } from '@duckdb/node-api';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node duckdb_rows.mjs FILE.parquet...');
  process.exit(2);
}
const path = `[${files.map(f => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${path})`)).getRowObjectsJS();
console.log(JSON.stringify({ columns: described.map(r => [r.column_name, r.column_type]) }));
const rows = (await con.runAndReadAll(`SELECT to_json(t)::VARCHAR AS j FROM read_parquet(${path}) t`)).getRowObjectsJS();
for (const r of rows) console.log(r.j);
