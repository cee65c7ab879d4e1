/**
 * Child-process helpers shared by the test support modules. Every child
 * spawned here is killed (SIGKILL) when the test process exits or is ended by
 * SIGINT/SIGTERM/SIGHUP, even when a test fails before its cleanup hook runs.
 * (A SIGKILLed test process cannot clean up; the node-media-server child
 * still exits then, because it watches its IPC channel.)
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAll);
  // 'exit' does not run when the process dies of a signal (e.g. the test
  // runner's SIGTERM on timeout, Ctrl-C): kill the children, then die of the
  // same signal as before. Only when nobody else handles the signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue;
    const onSignal = (): void => {
      killAll();
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Spawns a child process that is SIGKILLed on test-process exit if it is
 * still running. The caller still owns normal shutdown.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  installExitHook();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Resolves when `child` has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Sends `signal` and waits for exit; escalates to SIGKILL after `graceMs`.
 */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Output of a finished tool run. */
export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a command to completion, collecting stdout (as bytes) and stderr.
 * Rejects with stderr in the message when the exit code is not 0, unless
 * `allowFailure` is set. A `timeoutMs` kills the child and rejects; aborting
 * `signal` kills it too (the result then counts as a failure).
 */
export function runTool(
  command: string,
  args: readonly string[],
  opts: { timeoutMs?: number; allowFailure?: boolean; input?: Buffer; signal?: AbortSignal } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, {
      stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal, killSignal: 'SIGKILL' as const } : {}),
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    if (opts.input) child.stdin?.end(opts.input);
    child.once('error', (e) => {
      if (e.name === 'AbortError') return; // 'close' follows and reports
      clearTimeout(timer);
      reject(new Error(`${command} failed to start: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result: ToolResult = { code, signal, stdout: Buffer.concat(out), stderr: err };
      const cmdline = `${command} ${args.join(' ')}`;
      if (timedOut) reject(new Error(`${cmdline} timed out after ${opts.timeoutMs} ms\n${tail(err)}`));
      else if (code !== 0 && !opts.allowFailure) reject(new Error(`${cmdline} exited with ${code ?? signal}\n${tail(err)}`));
      else resolve(result);
    });
  });
}

/** Last `max` characters of a log, for error messages. */
export function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}
