import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { hasService, serverConfig } from './config';
import { useHealth } from './health';
import { Login } from './pages/Login';
import { href, useRoute, type Route } from './router';
import { credentials, signOut } from './session';

type PageModule = { default: ComponentType<{ route: Route }> };

// Each page is its own chunk: the streams list does not load the Firehose or S3 SDKs.
const pages: Record<string, () => Promise<PageModule>> = {
  streams: () => import('./pages/Streams'),
  stream: () => import('./pages/Stream'),
  records: () => import('./pages/Records'),
  produce: () => import('./pages/Producer'),
  firehose: () => import('./pages/Firehose'),
  delivery: () => import('./pages/DeliveryStream'),
  server: () => import('./pages/Server'),
};

// The pages whose chunk has arrived, so Lazy can draw them at once instead of a frame later.
const loaded: Record<string, ComponentType<{ route: Route }>> = {};

/**
 * Starts loading the chunk of the page a route shows, e.g. while config.json is still on its way.
 * Resolves when it is there (or failed to load: Lazy then says so).
 */
export function preloadPage(route: Route): Promise<void> {
  const name = pageFor(route);
  return pages[name]().then(
    (m) => void (loaded[name] = m.default),
    () => undefined,
  );
}

function pageFor(route: Route): string {
  const [a, b, c] = route.parts;
  if (a === 'streams' && b && c === 'records') return 'records';
  if (a === 'streams' && b && c === 'produce') return 'produce';
  if (a === 'streams' && b) return 'stream';
  if (a === 'firehose' && b) return 'delivery';
  if (a === 'firehose') return 'firehose';
  if (a === 'server') return 'server';
  return 'streams';
}

function Lazy({ name, route }: { name: string; route: Route }) {
  const [, setArrived] = useState(0);
  const [failed, setFailed] = useState<{ name: string; message: string } | null>(null);
  useEffect(() => {
    if (loaded[name]) return;
    let live = true;
    pages[name]()
      .then((m) => {
        loaded[name] = m.default;
        if (live) setArrived((n) => n + 1);
      })
      .catch((e) => live && setFailed({ name, message: String(e) }));
    return () => void (live = false);
  }, [name]);
  const Page = loaded[name];
  // Keyed by the section and the resource (a stream's or delivery stream's name): going from one
  // stream's page to another's starts the page afresh, with nothing of the first one's state.
  if (Page) return <Page key={route.parts.slice(0, 2).join('/')} route={route} />;
  if (failed?.name === name) return <p class="error" role="alert">Could not load this page: {failed.message}</p>;
  return <p class="muted">Loading…</p>;
}

function Banner() {
  const h = useHealth();
  const [showBack, setShowBack] = useState(false);
  useEffect(() => {
    if (h.generation === 0 || !h.up) return;
    setShowBack(true);
    const t = setTimeout(() => setShowBack(false), 4000);
    return () => clearTimeout(t);
  }, [h.up, h.generation]);
  if (!h.up)
    return (
      <div class="banner down" role="alert" data-testid="server-down">
        The runnel server at {window.location.host} is not answering (since {new Date(h.since).toLocaleTimeString()}). Retrying every second;
        this page will refresh when it is back.
      </div>
    );
  if (showBack)
    return (
      <div class="banner up" role="status" data-testid="server-back">
        The server is back. Data reloaded.
      </div>
    );
  return null;
}

export function App() {
  const route = useRoute();
  const [, setSignedIn] = useState(0);
  const cfg = serverConfig();
  if (!credentials()) return <Login onDone={() => setSignedIn((n) => n + 1)} />;
  const page = pageFor(route);
  const nav = [
    ['streams', 'Streams', href('streams'), hasService('kinesis')],
    ['firehose', 'Firehose', href('firehose'), hasService('firehose')],
    ['server', 'Server', href('server'), true],
  ] as const;
  const section = page === 'delivery' ? 'firehose' : ['stream', 'records', 'produce'].includes(page) ? 'streams' : page;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">runnel</span>
        <nav aria-label="Sections">
          {nav
            .filter((n) => n[3])
            .map(([id, label, to]) => (
              <a key={id} href={to} aria-current={section === id ? 'page' : undefined}>
                {label}
              </a>
            ))}
        </nav>
        <span class="muted small">
          {[cfg.version, cfg.region, cfg.accountId].filter(Boolean).join(' · ')}
        </span>
        {cfg.auth && (
          <button class="link" onClick={() => (signOut(), setSignedIn((n) => n + 1))}>
            Sign out
          </button>
        )}
      </header>
      <Banner />
      <main id="main" tabIndex={-1}>
        <Lazy name={page} route={route} />
      </main>
    </>
  );
}
