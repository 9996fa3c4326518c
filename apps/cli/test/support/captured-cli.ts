import { defaultCredentialsFor } from '../../../server/test/support/test-stack';
import { type RunCliOptions, runCli } from '../../src/run-cli';
import { waitUntil } from './wait-until';

export interface CapturedCli {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code `runCli` answers. */
  exited: Promise<number>;
  /** Presses Ctrl-C (aborts the interrupt signal). */
  interrupt(): void;
  /** Resolves once stdout contains `text`. */
  printed(text: string): Promise<void>;
}

export const fastRetry = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 };

/** Runs `sluice …` in this process with its output captured and no terminal. */
export function startCli(argv: string[], options: Partial<RunCliOptions> = {}): CapturedCli {
  const interruption = new AbortController();
  let stdout = '';
  let stderr = '';
  const exited = runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    statusLine: false,
    interrupt: interruption.signal,
    retry: fastRetry,
    // As the running test stack's first user, as SLUICE_API_KEY would (unless a test says).
    apiKey: apiKeyFor(argv),
    ...options,
  });
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    interrupt: () => interruption.abort(),
    printed: (text) =>
      waitUntil(
        () => stdout.includes(text),
        () => `"${text}" is not in stdout:\n${stdout}\nstderr:\n${stderr}`,
      ),
  };
}

function apiKeyFor(argv: string[]): string | undefined {
  const server = argv[argv.indexOf('--server') + 1];
  const credentials = server ? defaultCredentialsFor(server) : null;
  return credentials && 'apiKey' in credentials ? credentials.apiKey : undefined;
}

/** Runs `sluice …` to its end; answers its exit code and output. */
export async function runCaptured(argv: string[], options: Partial<RunCliOptions> = {}) {
  const cli = startCli(argv, options);
  const exitCode = await cli.exited;
  return { exitCode, stdout: cli.stdout, stderr: cli.stderr };
}
