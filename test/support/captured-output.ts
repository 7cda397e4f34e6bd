/**
 * Everything this process writes while a test runs — stdout, stderr and the
 * console methods (vitest may route console calls around stdout) — so a
 * test can scan it, e.g. for raw ID numbers in any log line.
 */
export interface CapturedOutput {
  /** All text captured so far. */
  text(): string;
  /** Puts the original writers back. */
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const captured: string[] = [];
  const undo: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    undo.push(() => {
      stream.write = original as typeof stream.write;
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(`${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
      original.apply(console, args);
    };
    undo.push(() => {
      console[method] = original;
    });
  }
  return {
    text: () => captured.join(''),
    restore: () => {
      for (const step of undo.splice(0).reverse()) step();
    },
  };
}
