// Whether the server is there: GET /health every few seconds (every second while it is away).
// Pages re-read their data when it comes back, through the generation in useHealth().

import { useEffect, useState } from 'preact/hooks';

export interface Health {
  up: boolean;
  /** Bumped each time the server comes back after being away. */
  generation: number;
  since: number;
}

let state: Health = { up: true, generation: 0, since: Date.now() };
const listeners = new Set<(h: Health) => void>();
let timer: number | undefined;

async function probe(): Promise<boolean> {
  try {
    const r = await fetch('/health', { cache: 'no-store', signal: AbortSignal.timeout(3000) });
    // Any answer from runnel means it is there: with signatures checked, /health is 403 to an
    // unsigned probe. 5xx is what Vite's dev proxy answers when runnel behind it is gone.
    return r.status < 500;
  } catch {
    return false;
  }
}

function set(up: boolean) {
  if (up === state.up) return;
  state = { up, generation: state.generation + (up ? 1 : 0), since: Date.now() };
  listeners.forEach((l) => l(state));
}

async function tick() {
  set(await probe());
  timer = window.setTimeout(tick, state.up ? 3000 : 1000);
}

/** Starts the probe loop (once). */
export function startHealth(): void {
  if (timer === undefined) timer = window.setTimeout(tick, 1000);
}

/** Tells the monitor a request failed to reach the server, so the banner does not wait for the next probe. */
export function reportNetworkError(): void {
  void probe().then(set);
}

export function useHealth(): Health {
  const [h, setH] = useState(state);
  useEffect(() => {
    listeners.add(setH);
    return () => void listeners.delete(setH);
  }, []);
  return h;
}
