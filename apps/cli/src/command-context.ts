import type { RetryOptions } from './follow-plan-events';

/** What a command may touch of the process, passed in so that tests need no terminal. */
export interface CommandContext {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Draw a live status line on stderr (only when stderr is a terminal). */
  statusLine: boolean;
  /** Aborted when the user presses Ctrl-C. */
  interrupt: AbortSignal;
  /** The API key sent as `Authorization: Bearer` (main passes $SLUICE_API_KEY). */
  apiKey?: string;
  /** How a broken event stream is retried; tests shorten the delays. */
  retry?: RetryOptions;
  now?(): number;
}
