// What the server tells the console about itself at GET /console/config.json.

export interface ServerConfig {
  /** A credentials file is configured: the console must ask for keys and sign with them. */
  auth: boolean;
  region: string;
  /** Left out by the server when signatures are checked. */
  accountId?: string;
  version: string;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Services this server answers: kinesis, firehose, monitoring, s3, … */
  services: string[];
}

let config: ServerConfig | undefined;

/** Loads the config once at startup; later calls return the same object. */
export async function loadConfig(): Promise<ServerConfig> {
  if (config) return config;
  // The server sends it with Cache-Control: no-store. No fetch options: the request must match
  // index.html's <link rel="preload" as="fetch" crossorigin> to use the response it already has.
  const r = await fetch(import.meta.env.BASE_URL + 'config.json');
  if (!r.ok) throw new Error(`GET config.json: HTTP ${r.status}`);
  config = (await r.json()) as ServerConfig;
  return config;
}

/** The config loaded at startup. Only valid after loadConfig() resolved (main.tsx awaits it). */
export function serverConfig(): ServerConfig {
  if (!config) throw new Error('config not loaded');
  return config;
}

export function hasService(name: string): boolean {
  return serverConfig().services.includes(name);
}
