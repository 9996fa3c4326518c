import { createSluiceClient } from '../client';
import type { CommandContext } from '../command-context';
import type { ExitCode } from '../exit-codes';
import type { Command } from '../parse-command-line';
import { formatHeader } from '../render-plan-stream';
import { reportError } from './report-error';
import { streamPlan } from './stream-plan';

export type WatchCommand = Extract<Command, { name: 'watch' }>;

/** `sluice watch <planId>`: attaches to a plan, running or finished; Ctrl-C only stops watching. */
export async function runWatchCommand(
  command: WatchCommand,
  context: CommandContext,
): Promise<ExitCode> {
  const { serverUrl, planId } = command;
  const client = createSluiceClient(serverUrl, context.apiKey);
  try {
    // Ctrl-C aborts these requests; once streaming, it stops watching instead.
    const request = { signal: context.interrupt };
    const [info, view] = await Promise.all([
      client.system.info.query(undefined, request),
      client.plan.get.query({ planId }, request),
    ]);
    if (!command.json) {
      context.stdout(`${formatHeader({ planId, model: view.model, simulated: info.simulated })}\n`);
    }
  } catch (error) {
    return reportError(context, error, { serverUrl });
  }
  return streamPlan(
    { client, serverUrl, planId, json: command.json, onInterrupt: 'detach' },
    context,
  );
}
