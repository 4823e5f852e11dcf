// A plain fetch of a runnel path (such as /metrics), SigV4-signed when the server checks signatures.

import { Sha256 } from '@aws-crypto/sha256-browser';
import { SignatureV4 } from '@smithy/signature-v4';
import { serverConfig } from '../config';
import { credentials } from '../session';

export async function signedGet(path: string, service = 'monitoring'): Promise<Response> {
  const cfg = serverConfig();
  if (!cfg.auth) return fetch(path, { cache: 'no-store' });
  const c = credentials();
  if (!c) throw new Error('not signed in');
  const url = new URL(path, window.location.origin);
  const signer = new SignatureV4({ credentials: c, region: cfg.region, service, sha256: Sha256 });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  const headers = { ...signed.headers };
  delete headers.host; // the browser sets Host itself and refuses to be told
  return fetch(url, { headers, cache: 'no-store' });
}
