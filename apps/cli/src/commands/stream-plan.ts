import type { EndEvent } from '@sluice/shared';
import type { SluiceClient } from '../client';
import type { CommandContext } from '../command-context';
import { describeClientError, type ErrorSituation } from '../describe-client-error';
import { type ExitCode, exitCodeForStatus, exitCodes } from '../exit-codes';
import { followPlanEvents } from '../follow-plan-events';
import { createLiveOutput, type LiveOutput } from '../live-output';
import { createPlanStreamRenderer, formatEnd, formatProgress } from '../render-plan-stream';
import { reportError } from './report-error';

export interface StreamPlanOptions {
  client: SluiceClient;
  serverUrl: string;
  planId: string;
  /** Print only the final plan as JSON on stdout. */
  json: boolean;
  /** What Ctrl-C does: cancel the plan on the server, or only stop watching it. */
  onInterrupt: 'cancel' | 'detach';
}

type Result<T> = { success: true; value: T } | { success: false; error: unknown };

/** How long Ctrl-C waits for the server to confirm a cancellation. */
const cancelWaitMs = 3000;
const statusIntervalMs = 250;

function toResult<T>(promise: Promise<T>): Promise<Result<T>> {
  return promise.then(
    (value) => ({ success: true, value }),
    (error: unknown) => ({ success: false, error }),
  );
}

function whenAborted(signal: AbortSignal): Promise<'interrupted'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('interrupted');
    else signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
}

/** The promise's value, or `undefined` when it takes longer than `ms`. */
async function waitUpTo<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Follows a plan's events to its end, rendering them (or its final JSON), and handles Ctrl-C. */
export async function streamPlan(
  options: StreamPlanOptions,
  context: CommandContext,
): Promise<ExitCode> {
  const { client, planId, serverUrl } = options;
  const situation = { serverUrl, planId };
  const output = createLiveOutput(context);
  const renderer = createPlanStreamRenderer();
  const now = context.now ?? Date.now;
  const startedAt = now();
  const showStatus = () => output.status(formatProgress(renderer.progress, now() - startedAt));
  const statusTimer = context.statusLine ? setInterval(showStatus, statusIntervalMs) : undefined;
  const stop = new AbortController();

  const following = toResult(
    followPlanEvents({
      client,
      planId,
      signal: stop.signal,
      retry: context.retry,
      onEvent(event) {
        const text = renderer.render(event);
        if (!options.json) output.print(text);
        showStatus();
      },
      onReconnect(attempt, delayMs) {
        output.note(
          `Connection lost; reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt})…`,
        );
      },
    }),
  );

  async function finish(end: EndEvent): Promise<ExitCode> {
    output.clear();
    if (!options.json) return exitCodeForStatus(end.status);
    if (end.status !== 'completed') output.note(formatEnd(end));
    try {
      const view = await client.plan.get.query({ planId });
      context.stdout(`${JSON.stringify(view.plan, null, 2)}\n`);
      return exitCodeForStatus(end.status);
    } catch (error) {
      return reportError(context, error, situation);
    }
  }

  async function outcome(result: Result<EndEvent | undefined>): Promise<ExitCode> {
    if (!result.success) {
      output.clear();
      return reportError(context, result.error, situation);
    }
    // Following only stops without an end event when asked to (after Ctrl-C).
    return result.value ? finish(result.value) : exitCodes.interrupted;
  }

  try {
    const first = await Promise.race([following, whenAborted(context.interrupt)]);
    if (first !== 'interrupted') return await outcome(first);
    if (options.onInterrupt === 'detach') return detach(output, planId);
    await requestCancel(client, output, situation);
    const confirmed = await waitUpTo(following, cancelWaitMs);
    if (confirmed === undefined) {
      output.note(
        `The server did not confirm the cancellation in time; check with \`sluice watch ${planId}\`.`,
      );
      return exitCodes.interrupted;
    }
    await outcome(confirmed);
    return exitCodes.interrupted;
  } finally {
    clearInterval(statusTimer);
    stop.abort();
    output.clear();
  }
}

function detach(output: LiveOutput, planId: string): ExitCode {
  output.note(
    `Stopped watching; plan ${planId} goes on on the server. Resume with \`sluice watch ${planId}\`, stop it with \`sluice cancel ${planId}\`.`,
  );
  return exitCodes.interrupted;
}

async function requestCancel(
  client: SluiceClient,
  output: LiveOutput,
  situation: ErrorSituation & { planId: string },
): Promise<void> {
  output.note(`Cancelling plan ${situation.planId}… (Ctrl-C again to quit at once)`);
  try {
    await client.plan.cancel.mutate({ planId: situation.planId });
  } catch (error) {
    output.note(`Could not cancel: ${describeClientError(error, situation).message}`);
  }
}
