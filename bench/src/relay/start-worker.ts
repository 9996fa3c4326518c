import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerReadyMessage, WorkerResponseMessage } from './protocol';

export interface WorkerOptions {
  /** Extra environment variables for the worker. */
  env?: Record<string, string>;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  execArgv?: string[];
  /** How long the worker may take to announce itself. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface Worker<TInfo> {
  readonly info: TInfo;
  readonly pid: number;
  request<TValue>(name: string, payload?: unknown, timeoutMs?: number): Promise<TValue>;
  /** Sends `close`, waits for the exit, and kills the worker if it takes longer than graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const defaultRequestTimeoutMs = 60_000;

/** Kills every worker still running (SIGKILL). Safe to call more than once. */
export function killAllWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllWorkers();
  process.exit(exitCodes[signal] ?? 1);
}

/** Installed while at least one worker runs, so Ctrl-C or a crash never leaves one behind. */
function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killAllWorkers);
    for (const signal of Object.keys(exitCodes)) process.on(signal, onSignal);
  }
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size > 0) return;
    process.off('exit', killAllWorkers);
    for (const signal of Object.keys(exitCodes)) process.off(signal, onSignal);
  });
}

function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

function isMessage<TType extends string>(
  message: unknown,
  type: TType,
): message is { type: TType } & Record<string, unknown> {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type
  );
}

/** Forks a TypeScript entry file (run through tsx) and waits for its `ready` message. */
export async function startWorker<TInfo>(
  entry: URL,
  options: WorkerOptions = {},
): Promise<Worker<TInfo>> {
  const child = fork(fileURLToPath(entry), [], {
    execArgv: [...(options.execArgv ?? []), '--import', tsxLoaderUrl()],
    env: { ...process.env, ...options.env },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, (message: WorkerResponseMessage) => void>();
  let nextId = 1;

  child.on('message', (message: unknown) => {
    if (!isMessage(message, 'response')) return;
    const response = message as unknown as WorkerResponseMessage;
    pending.get(response.id)?.(response);
    pending.delete(response.id);
  });
  child.once('exit', (code, signal) => {
    const error = `worker ${entry.pathname} exited (${signal ?? code})`;
    for (const settle of pending.values())
      settle({ type: 'response', id: 0, success: false, error });
    pending.clear();
  });

  const info = await new Promise<TInfo>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${entry.pathname} was not ready within the time limit`));
    }, options.readyTimeoutMs ?? 30_000);
    child.on('message', (message: unknown) => {
      if (!isMessage(message, 'ready')) return;
      clearTimeout(timer);
      resolve((message as unknown as WorkerReadyMessage<TInfo>).info);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker ${entry.pathname} exited before it was ready (${signal ?? code})`));
    });
  });

  const request = <TValue>(
    name: string,
    payload?: unknown,
    timeoutMs = defaultRequestTimeoutMs,
  ): Promise<TValue> =>
    new Promise<TValue>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`worker request "${name}" timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (response) => {
        clearTimeout(timer);
        if (response.success) resolve(response.value as TValue);
        else reject(new Error(`worker request "${name}" failed: ${response.error}`));
      });
      child.send({ type: 'request', id, name, payload });
    });

  return {
    info,
    pid: child.pid ?? -1,
    request,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      request('close', undefined, graceMs).catch(() => child.kill('SIGKILL'));
      await exited;
      clearTimeout(timer);
    },
  };
}
