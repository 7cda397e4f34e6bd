/** The local stack with the demo data loaded and the console built, as the browser tests and the console bench use it. */
import { ensureConsoleBuilt } from '../../console/serving/build.ts';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { loadDemoEvents, sendEvents, waitUntilDrained, sendRegistrationsFirst } from '../../packages/local-stack/demo-data.ts';
import { adminCaller, holdBackLateEvents, publishDemoPeriod, setDemoTargets } from '../../packages/local-stack/demo-publication.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';

/**
 * Builds the console if needed, starts the stack on a free port and tells the
 * demo's story as `npm start` does: most events, then 2026-Q3 published, then
 * the held-back Q3 events (late: they revise it), then the 2026 targets
 * (about 1–2 minutes).
 */
export async function startDemoStack(): Promise<LocalStack> {
  await ensureConsoleBuilt();
  // As under `npm start`: no log line per event, no metrics on stdout.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  const stack = await startLocalStack({ apiPort: 0, quiet: true });
  try {
    const { events } = await loadDemoEvents();
    const { first, late } = holdBackLateEvents(events);
    await sendRegistrationsFirst(stack.sqs, stack.queueUrl, first);
    const call = adminCaller(stack.apiUrl ?? '', await signLocalToken({ role: 'admin', division: '500233000000' }, stack.jwtKey, { ttlSeconds: 600 }));
    await publishDemoPeriod(call);
    await sendEvents(stack.sqs, stack.queueUrl, late);
    await waitUntilDrained(stack.sqs, stack.queueUrl);
    await setDemoTargets(call);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
