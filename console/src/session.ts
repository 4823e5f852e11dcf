// The keys requests are signed with. With auth on, the user's keys, kept in sessionStorage only
// (gone when the tab closes); with auth off, dummy keys the server accepts unchecked.

import { serverConfig } from './config';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const KEY = 'runnel.credentials';
const dummy: Credentials = { accessKeyId: 'runnel', secretAccessKey: 'runnel' };
let generation = 0;

/** The keys to sign with now, or null when auth is on and the user has not signed in. */
export function credentials(): Credentials | null {
  if (!serverConfig().auth) return dummy;
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Credentials) : null;
}

export function signIn(c: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(c));
  generation++;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  generation++;
}

/** Bumped on every sign-in and sign-out, so cached clients are rebuilt with the new keys. */
export function credentialsGeneration(): number {
  return generation;
}

/**
 * A client made by `make`, rebuilt after each sign-in or sign-out: the SDK memoizes what a
 * credentials provider returns, so a client must not outlive the keys it was made with.
 */
export function perCredentials<T extends { destroy(): void }>(make: () => T): () => T {
  let client: T | undefined;
  let made = -1;
  return () => {
    if (!client || made !== generation) {
      client?.destroy();
      client = make();
      made = generation;
    }
    return client;
  };
}

/** The settings every SDK client shares: this origin as endpoint, the server's region, the current keys. */
export function clientConfig() {
  return {
    endpoint: window.location.origin,
    region: serverConfig().region,
    credentials: async () => {
      const c = credentials();
      if (!c) throw new Error('not signed in');
      return c;
    },
    maxAttempts: 1,
  };
}
