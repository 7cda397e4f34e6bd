/**
 * Stops the local stack when the command that launched it dies, however it
 * dies. `npm start` is a chain of processes — npm, a shell, tsx, then this
 * script — and a `kill -9` of npm leaves the rest running: nothing tells
 * them. This watches the ancestors that belong to the same job (process
 * group) and calls back once any of them is gone, so the stack can stop its
 * JVM and exit instead of running on, orphaned.
 */
import { readFileSync } from 'node:fs';

interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot: tells a process from a later one that reused its pid. */
  readonly startTime: string;
}

interface ProcessStat extends ProcessIdentity {
  readonly parent: number;
  readonly group: number;
}

/** Fields of `/proc/<pid>/stat`, or undefined when the process is gone (or there is no /proc). */
function processStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [, parent, group] = fields;
  const startTime = fields[19];
  if (parent === undefined || group === undefined || startTime === undefined) return undefined;
  return { pid, parent: Number(parent), group: Number(group), startTime };
}

/**
 * This process's parent, and every further ancestor in the same process
 * group (the shell job `npm start` runs as). Empty where there is no /proc.
 */
export function launchingProcesses(): ProcessIdentity[] {
  const own = processStat(process.pid);
  if (own === undefined) return [];
  const chain: ProcessIdentity[] = [];
  for (let pid = own.parent; pid > 1; ) {
    const stat = processStat(pid);
    if (stat === undefined) break;
    if (chain.length > 0 && stat.group !== own.group) break;
    chain.push({ pid: stat.pid, startTime: stat.startTime });
    pid = stat.parent;
  }
  return chain;
}

/**
 * Calls `onGone` once, as soon as one of {@link launchingProcesses} has
 * exited (checked every `intervalMs`). Without /proc it watches for this
 * process being re-parented, which is what its parent's death does.
 * Returns a function that stops watching. The timer never keeps the process alive.
 */
export function whenLauncherDies(onGone: () => void, intervalMs = 500): () => void {
  const watched = launchingProcesses();
  const originalParent = process.ppid;
  const isGone = (): boolean =>
    watched.length === 0 ? process.ppid !== originalParent : watched.some(({ pid, startTime }) => processStat(pid)?.startTime !== startTime);
  const timer = setInterval(() => {
    if (!isGone()) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
