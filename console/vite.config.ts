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
    res.end(body());
  };
  return {
    name: 'runnel-stub-config',
    configureServer: (s) => void s.middlewares.use(handler),
    configurePreviewServer: (s) => void s.middlewares.use(handler),
  };
}

const proxy = { '^/(?!console(/|$)).*': { target: runnel, changeOrigin: false } };

export default defineConfig({
  base: '/console/',
  plugins: [preact(), stubConfig()],
  server: { proxy },
  preview: { proxy },
  build: { target: 'es2022', chunkSizeWarningLimit: 400 },
  test: { include: ['src/**/*.test.ts'] },
} as any);
