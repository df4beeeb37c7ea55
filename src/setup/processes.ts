/**
 * Child processes the suite starts (simulators, declared launch commands). Each is stopped by its
 * own process id (its own process group when we made one), never by name: `pkill -f "vllm serve"`
 * kills other people's servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Started {
  label: string;
  child: ChildProcess;
  /** Last lines of the child's output, for error messages. */
  tail: string[];
}

const running = new Set<Started>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Vitest 4.1 can skip global teardown on Ctrl+C; 'exit' handlers still run synchronously.
  process.once('exit', () => {
    for (const s of running) killTree(s.child, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const s of running) killTree(s.child, 'SIGTERM');
    });
  }
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Detached children lead their own process group: signal the group so a shell's children go too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export function startProcess(
  label: string,
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; shell?: boolean } = {},
): Started {
  installExitHook();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    shell: opts.shell ?? false,
  });
  const started: Started = { label, child, tail: [] };
  const keep = (line: string): void => {
    started.tail.push(line);
    if (started.tail.length > 40) started.tail.shift();
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  running.add(started);
  child.once('exit', () => running.delete(started));
  return started;
}

/** Resolve with the first stdout line matching `pattern`, or reject at the deadline or on exit. */
export function waitForLine(started: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: started.child.stdout! });
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      rl.close();
      started.child.off('exit', onExit);
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`${started.label} did not become ready within ${timeoutMs} ms.${tailText(started)}`))),
      timeoutMs,
    );
    const onExit = (code: number | null): void =>
      done(() => reject(new Error(`${started.label} exited with code ${code} before it was ready.${tailText(started)}`)));
    started.child.once('exit', onExit);
    rl.on('line', (line) => {
      const m = line.match(pattern);
      if (m) done(() => resolve(m));
    });
  });
}

export function tailText(started: Started): string {
  return started.tail.length ? `\nLast output:\n  ${started.tail.slice(-12).join('\n  ')}` : '';
}

/** Stop a started process: SIGTERM, then SIGKILL after the grace period. */
export async function stopProcess(started: Started, graceMs = 5000): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killTree(child, 'SIGTERM');
  const timer = setTimeout(() => killTree(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => stopProcess(s)));
}
