/**
 * Entry point: reads config.json, sets up the API client and the router, and
 * mounts the console. A missing or broken config.json is shown, not hidden.
 */
import { createApp } from 'vue';
import { App } from './App.tsx';
import { session } from './auth/session.ts';
import { loadRuntimeConfig } from './config.ts';
import { createConsoleRouter } from './router.ts';
import { setUpServices } from './services.ts';
import './styles.css';

async function start(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  try {
    const config = await loadRuntimeConfig();
    let router: ReturnType<typeof createConsoleRouter> | undefined;
    const services = setUpServices(config, () => {
      void router?.push({ path: '/sign-in', query: { next: router.currentRoute.value.fullPath } });
    });
    // Every page needs the catalogue first: ask for it while the app mounts (a failure shows on the page that awaits it).
    if (session.value !== undefined) services.catalog().catch(() => undefined);
    router = createConsoleRouter();
    createApp(App).use(router).mount(root);
  } catch (error) {
    const message = document.createElement('p');
    message.className = 'state state--error';
    message.setAttribute('role', 'alert');
    message.textContent = `The console could not start: ${error instanceof Error ? error.message : 'unknown error'}`;
    root.replaceChildren(message);
  }
}

void start();
