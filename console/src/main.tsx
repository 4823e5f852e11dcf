import { render } from 'preact';
import { App, preloadPage } from './App';
import { loadConfig } from './config';
import { startHealth } from './health';
import { parseHash } from './router';
import './styles.css';

async function start() {
  const root = document.getElementById('app')!;
  // The first page's chunk in parallel with config.json; the first render waits for both, so
  // it draws the page itself rather than "Loading…".
  const page = preloadPage(parseHash(window.location.hash));
  try {
    await Promise.all([loadConfig(), page]);
  } catch (e) {
    root.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    p.textContent = 'Could not load the console configuration from the server: ' + (e as Error).message + '. Reload to try again.';
    root.append(p);
    return;
  }
  startHealth();
  render(<App />, root);
}

void start();
