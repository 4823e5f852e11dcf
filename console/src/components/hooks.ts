import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { showError, type ShownError } from '../errors';
import { reportNetworkError, useHealth } from '../health';

export interface Loaded<T> {
  data: T | undefined;
  error: ShownError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change, when the server comes back after being away, and on reload();
 * with `everyMs`, again on that period. A slower earlier run never overwrites a newer one.
 * The first run starts right after the first render, before the browser paints it (a layout
 * effect): a plain effect would wait a frame and a task, 20-40 ms, before asking the server.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const health = useHealth();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ShownError | null>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const seq = useRef(0);
  useLayoutEffect(() => {
    const ac = new AbortController();
    let timer: number | undefined;
    const run = async () => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const v = await load(ac.signal);
        if (mine === seq.current && !ac.signal.aborted) {
          setData(v);
          setError(null);
        }
      } catch (e) {
        if (mine === seq.current && !ac.signal.aborted) {
          const shown = showError(e);
          if (shown.code === 'NetworkError') reportNetworkError();
          setError(shown);
        }
      } finally {
        if (mine === seq.current) setLoading(false);
        if (everyMs && !ac.signal.aborted) timer = window.setTimeout(run, everyMs);
      }
    };
    void run();
    return () => {
      ac.abort();
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce, health.generation]);
  return { data, error, loading, reload: useCallback(() => setNonce((n) => n + 1), []) };
}

/** An action a form runs: busy while it runs, AWS's error when it fails. */
export function useAction<A extends unknown[], T>(act: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [result, setResult] = useState<T | undefined>(undefined);
  const run = async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const r = await act(...args);
      setResult(r);
      return r;
    } catch (e) {
      const shown = showError(e);
      if (shown.code === 'NetworkError') reportNetworkError();
      setError(shown);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, result, setError };
}

/**
 * Resolves once the browser has painted what is in the DOM now: after the next animation frame
 * and one more task. In a hidden tab, where no frames come, after 100 ms.
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      setTimeout(resolve, 0);
    };
    requestAnimationFrame(go);
    setTimeout(go, 100);
  });
}

/** Resolves in a later task, so the browser can paint and handle input in between. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
