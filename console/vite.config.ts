import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';

// Where the dev and preview servers send every request that is not the console itself
// (the AWS APIs on POST /, S3 paths, /metrics, /health).
const runnel = process.env.RUNNEL_URL ?? 'http://127.0.0.1:45700';

// In dev and preview only: answer /console/config.json as runnel would, since Vite, not runnel,
// serves the console then. The built dist/ has no config.json; runnel serves the real one.
function stubConfig(): Plugin {
  const body = () =>
    JSON.stringify({
      auth: process.env.RUNNEL_AUTH === '1',
      region: 'us-east-1',
      accountId: '000000000000',
      version: 'dev',
      startedAt: Date.now(),
      services: ['kinesis', 'firehose', 'monitoring', 's3'],
    });
  const handler = (req: { url?: string }, res: any, next: () => void) => {
    if (req.url?.split('?')[0] !== '/console/config.json') return next();
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(body());
  };
  return {
    name: 'runnel-stub-config',
    configureServer: (s) => void s.middlewares.use(handler),
    configurePreviewServer: (s) => void s.middlewares.use(handler),
  };
}

// In the built index.html: the streams page (the default route) and everything it imports as
// <link rel="modulepreload">, and config.json as <link rel="preload" as="fetch">, so the browser
// fetches them together with the entry script instead of after it has run. Links, not an inline
// script: the server's CSP (script-src 'self') stays as it is. Other routes fetch a few chunks
// they do not need (the Kinesis SDK), from the browser's cache after the first visit.
function preloadFirstPage(page = '/src/pages/Streams.tsx'): Plugin {
  let base = '/';
  return {
    name: 'runnel-preload-first-page',
    apply: 'build',
    configResolved: (c) => void (base = c.base),
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const start = chunks.find((c) => c.facadeModuleId?.endsWith(page));
        if (!start) throw new Error(`preloadFirstPage: no chunk for ${page}`);
        const files = new Set<string>();
        const walk = (file: string) => {
          if (files.has(file)) return;
          files.add(file);
          const c = chunks.find((x) => x.fileName === file);
          c?.imports.forEach(walk);
        };
        walk(start.fileName);
        return [
          { tag: 'link', attrs: { rel: 'preload', href: base + 'config.json', as: 'fetch', crossorigin: 'anonymous' }, injectTo: 'head' },
          ...[...files]
            .filter((f) => !html.includes(f)) // the entry's own imports Vite preloads already
            .map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: base + f }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}

const proxy = { '^/(?!console(/|$)).*': { target: runnel, changeOrigin: false } };

export default defineConfig({
  base: '/console/',
  plugins: [preact(), stubConfig(), preloadFirstPage()],
  server: { proxy },
  preview: { proxy },
  build: { target: 'es2022', chunkSizeWarningLimit: 400 },
  test: { include: ['src/**/*.test.ts'] },
} as any);
