import type { WorkerReadyMessage, WorkerRequestMessage, WorkerResponseMessage } from './protocol';

export type WorkerHandlers = Record<string, (payload: unknown) => unknown>;

function send(message: WorkerReadyMessage<unknown> | WorkerResponseMessage): void {
  process.send?.(message);
}

function isRequest(message: unknown): message is WorkerRequestMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'request'
  );
}

/**
 * The worker side of the IPC channel: announces `info` once ready, then answers each
 * named request with its handler's result. The worker exits when the bench goes away.
 */
export function serveWorker(info: unknown, handlers: WorkerHandlers): void {
  if (!process.send) throw new Error('This file runs as a child process of the relay bench');
  // Orphaned workers must not outlive the bench (Ctrl-C, crash, SIGKILL of the parent).
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const handler = handlers[message.name];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`Unknown request "${message.name}"`);
        return handler(message.payload);
      })
      .then(
        (value) => send({ type: 'response', id: message.id, success: true, value }),
        (error: unknown) =>
          send({
            type: 'response',
            id: message.id,
            success: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  send({ type: 'ready', info });
}

/** Runs a worker's start-up, reporting a failure on stderr with a non-zero exit code. */
export function runWorker(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
