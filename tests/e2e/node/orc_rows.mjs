// Reads an ORC file with Apache ORC's C++ reader inside ClickHouse (chDB,
// npm `chdb`; input_format_orc_use_fast_decoder=0 takes the ORC library's
// path), for the Python end-to-end tests: prints one JSON line with the
// columns and the types ClickHouse infers ({"columns": [[name, type], ...]}),
// then one line per row (JSONEachRow: 64-bit integers and decimals quoted).
//
//   node orc_rows.mjs FILE.orc
import { query } from 'chdb';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node orc_rows.mjs FILE.orc');
  process.exit(2);
}
const from = `file('${file.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}', 'ORC')`;
// One thread, so the rows come out in the file's order.
const settings = 'max_threads=1, max_parsing_threads=1, input_format_parallel_parsing=0, ' +
  'input_format_orc_use_fast_decoder=0, output_format_json_quote_64bit_integers=1, ' +
  'output_format_json_quote_decimals=1, output_format_json_map_as_array_of_tuples=1';
const described = query(`DESCRIBE ${from} SETTINGS ${settings}`, 'JSONEachRow')
  .split('\n').filter(Boolean).map(l => JSON.parse(l));
console.log(JSON.stringify({ columns: described.map(r => [r.name, r.type]) }));
process.stdout.write(query(`SELECT * FROM ${from} SETTINGS ${settings}`, 'JSONEachRow'));
