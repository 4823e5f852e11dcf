import { useEffect, useRef, useState } from 'preact/hooks';
import { signedGet } from '../aws/signedfetch';
import { Chart } from '../components/Chart';
import { ErrorText } from '../components/ErrorText';
import { useLoad } from '../components/hooks';
import { serverConfig } from '../config';
import { human } from '../lib/chartdata';
import { bucketCounts, histogram, parseProm, quantile, sumBy, type Family } from '../lib/prom';

const EVERY = 5_000;
const HISTORY = 120; // points of in-page history (10 minutes at 5 s)

function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return (d ? `${d} d ` : '') + `${h} h ${m} min ${s % 60} s`;
}

function value(f: Family | undefined): number | undefined {
  return f?.samples.reduce((a, s) => a + s.value, 0);
}

/** The server itself: version, uptime, the log, fsync latency, connections, requests by operation, from /metrics. */
export default function Server() {
  const cfg = serverConfig();
  const scrape = useLoad(
    async () => {
      const r = await signedGet('/metrics');
      if (!r.ok) throw Object.assign(new Error(`GET /metrics: HTTP ${r.status} ${await r.text()}`), { name: 'MetricsError' });
      return { at: Date.now(), fams: parseProm(await r.text()) };
    },
    [],
    EVERY,
  );
  // Rates come from the difference between two scrapes.
  const prev = useRef<{ at: number; total: number; fsyncs: number; ops: Map<string, number> } | null>(null);
  const [hist, setHist] = useState<{ t: number[]; req: number[]; fs: number[] }>({ t: [], req: [], fs: [] });
  const [rates, setRates] = useState(new Map<string, number>());
  const fams = scrape.data?.fams;
  useEffect(() => {
    if (!scrape.data || !fams) return;
    const ops = new Map(sumBy(fams.get('runnel_requests_total'), ['service', 'operation']).map((e) => [e.key.join(' '), e.value]));
    const total = [...ops.values()].reduce((a, b) => a + b, 0);
    const fsyncs = histogram(fams.get('runnel_log_fdatasync_milliseconds')).count;
    const p = prev.current;
    if (p) {
      const dt = (scrape.data.at - p.at) / 1000;
      const rr = new Map<string, number>();
      ops.forEach((v, k) => rr.set(k, Math.max(0, (v - (p.ops.get(k) ?? 0)) / dt)));
      setRates(rr);
      setHist((h) => ({
        t: [...h.t, Math.floor(scrape.data!.at / 1000)].slice(-HISTORY),
        req: [...h.req, Math.max(0, (total - p.total) / dt)].slice(-HISTORY),
        fs: [...h.fs, Math.max(0, (fsyncs - p.fsyncs) / dt)].slice(-HISTORY),
      }));
    }
    prev.current = { at: scrape.data.at, total, fsyncs, ops };
  }, [scrape.data]);

  const fsync = histogram(fams?.get('runnel_log_fdatasync_milliseconds'));
  const lat = fams?.get('runnel_request_latency_milliseconds');
  const ops = sumBy(fams?.get('runnel_requests_total'), ['service', 'operation']);
  const errors = sumBy(fams?.get('runnel_request_errors_total'), ['service', 'operation', 'error']).filter((e) => e.value > 0);
  const conns = sumBy(fams?.get('runnel_open_connections'), ['protocol', 'tls']);
  const bars = bucketCounts(fsync);
  const maxBar = Math.max(1, ...bars.map((b) => b.count));
  return (
    <section>
      <h1>Server</h1>
      <ErrorText error={scrape.error} />
      <div class="grid2">
        <div class="card">
          <dl class="facts" data-testid="server-facts">
            <dt>Version</dt>
            <dd>{cfg.version}</dd>
            <dt>Up for</dt>
            <dd>{uptime(Date.now() - cfg.startedAt)}</dd>
            <dt>Started</dt>
            <dd>{new Date(cfg.startedAt).toLocaleString()}</dd>
            <dt>Region / account</dt>
            <dd>
              {cfg.region} / {cfg.accountId ?? 'not shown'}
            </dd>
            <dt>Services</dt>
            <dd>{cfg.services.join(', ')}</dd>
            <dt>Signatures</dt>
            <dd>{cfg.auth ? 'checked (credentials file)' : 'not checked'}</dd>
            <dt>Record log</dt>
            <dd data-testid="log-bytes">
              {human(value(fams?.get('runnel_log_bytes')), true)} in {value(fams?.get('runnel_log_segments')) ?? '–'} segment(s)
            </dd>
            <dt>Data directory</dt>
            <dd data-testid="data-dir-bytes">{human(value(fams?.get('runnel_data_dir_bytes')), true)}</dd>
            <dt>Resident memory</dt>
            <dd>{human(value(fams?.get('runnel_process_resident_memory_bytes')), true)}</dd>
            <dt>Open connections</dt>
            <dd>
              {conns.map((c) => `${c.value} ${c.key[0]}${c.key[1] === 'true' ? ' (TLS)' : ''}`).join(', ') || '0'}
            </dd>
          </dl>
        </div>
        <div class="card" aria-label="fsync latency">
          <h2>fdatasync latency</h2>
          <p>
            {fsync.count} fsyncs · mean {fsync.count ? (fsync.sum / fsync.count).toFixed(2) : '–'} ms · p50 {fmt(quantile(fsync, 0.5))} ms · p99{' '}
            {fmt(quantile(fsync, 0.99))} ms
          </p>
          <div class="bars" role="img" aria-label="fsync latency histogram">
            {bars.map((b) => (
              <div key={b.le} style={{ height: `${(b.count / maxBar) * 100}%` }} title={`≤ ${b.le} ms: ${b.count}`} />
            ))}
          </div>
          <div class="barlabels" aria-hidden="true">
            {bars.map((b) => (
              <span key={b.le}>{b.le === Infinity ? '∞' : b.le}</span>
            ))}
          </div>
          <p class="muted small">Bucket upper bounds in ms.</p>
        </div>
      </div>
      <div class="charts" style={{ margin: '1rem 0' }}>
        {hist.t.length < 2 ? (
          // A rate needs two scrapes and a time axis two points.
          <p class="muted" data-testid="rates-pending">
            Rates appear after the next scrapes (every {EVERY / 1000} s).
          </p>
        ) : (
          <>
            <Chart title="Requests per second (this page's samples)" data={[hist.t, hist.req]} series={[{ label: 'requests/s', color: '#0b5cad' }]} />
            <Chart title="fsyncs per second" data={[hist.t, hist.fs]} series={[{ label: 'fsyncs/s', color: '#1b7f3b' }]} />
          </>
        )}
      </div>
      <div class="card">
        <h2>Requests by operation</h2>
        <table class="plain" data-testid="requests-table">
          <thead>
            <tr>
              <th>Service</th>
              <th>Operation</th>
              <th class="num">Answered</th>
              <th class="num">Per second</th>
              <th class="num">p50 ms</th>
              <th class="num">p99 ms</th>
            </tr>
          </thead>
          <tbody>
            {ops.map(({ key: [svc, op], value: n }) => {
              const h = histogram(lat, (l) => l.service === svc && l.operation === op);
              return (
                <tr key={svc + op}>
                  <td>{svc}</td>
                  <td>{op}</td>
                  <td class="num">{n}</td>
                  <td class="num">{(rates.get(`${svc} ${op}`) ?? 0).toFixed(1)}</td>
                  <td class="num">{fmt(quantile(h, 0.5))}</td>
                  <td class="num">{fmt(quantile(h, 0.99))}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <h2>Errors by type</h2>
        {errors.length === 0 ? (
          <p class="muted">No operation has answered with an error since the server started.</p>
        ) : (
          <table class="plain" data-testid="errors-table">
            <thead>
              <tr>
                <th>Service</th>
                <th>Operation</th>
                <th>Error</th>
                <th class="num">Answered</th>
              </tr>
            </thead>
            <tbody>
              {errors.map(({ key: [svc, op, error], value: n }) => (
                <tr key={svc + op + error}>
                  <td>{svc}</td>
                  <td>{op}</td>
                  <td>{error}</td>
                  <td class="num">{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 0) : '–';
}
