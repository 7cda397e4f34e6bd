/**
 * What every view needs, set up once in main.ts: the runtime configuration,
 * the API client, the division tree and the indicator catalogue (fetched
 * once per session).
 */
import { ApiClient } from './api/client.ts';
import type { Indicator } from './api/shapes.ts';
import { endSession, session } from './auth/session.ts';
import type { RuntimeConfig } from './config.ts';
import { Divisions } from './divisions.ts';
import { ConsoleError } from './errors.ts';

export interface Services {
  readonly config: RuntimeConfig;
  readonly api: ApiClient;
  readonly divisions: Divisions;
  /** The catalogue, fetched on first use. */
  catalog(): Promise<readonly Indicator[]>;
}

let current: Services | undefined;

export function setUpServices(config: RuntimeConfig, onSignedOut: () => void): Services {
  let catalog: Promise<readonly Indicator[]> | undefined;
  const api = new ApiClient({
    baseUrl: config.apiUrl.replace(/\/$/, ''),
    token: () => session.value?.token,
    onSignedOut: () => {
      catalog = undefined;
      endSession();
      onSignedOut();
    },
  });
  current = {
    config,
    api,
    divisions: new Divisions(config.divisions),
    catalog: () => {
      catalog ??= api.catalog().catch((error: unknown) => {
        catalog = undefined;
        throw error;
      });
      return catalog;
    },
  };
  return current;
}

export function services(): Services {
  if (current === undefined) throw new ConsoleError('the console is not set up yet');
  return current;
}
