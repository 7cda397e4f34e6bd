/** The local stack with the demo data loaded and the console built, as the browser tests and the console bench use it. */
import { ensureConsoleBuilt } from '../../console/serving/build.ts';
import { loadDemoEvents, sendEvents, waitUntilDrained } from '../../packages/local-stack/demo-data.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';

/** Builds the console if needed, starts the stack on a free port and loads every demo event (about 1–2 minutes). */
export async function startDemoStack(): Promise<LocalStack> {
  await ensureConsoleBuilt();
  // As under `npm start`: no log line per event, no metrics on stdout.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  const stack = await startLocalStack({ apiPort: 0, quiet: true });
  try {
    const { events } = await loadDemoEvents();
    await sendEvents(stack.sqs, stack.queueUrl, events);
    await waitUntilDrained(stack.sqs, stack.queueUrl);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
