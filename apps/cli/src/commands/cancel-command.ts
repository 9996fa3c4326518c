import { createSluiceClient } from '../client';
import type { CommandContext } from '../command-context';
import { type ExitCode, exitCodes } from '../exit-codes';
import type { Command } from '../parse-command-line';
import { reportError } from './report-error';

export type CancelCommand = Extract<Command, { name: 'cancel' }>;

/** `sluice cancel <planId>`: stops a plan that is generating; any other plan keeps its status. */
export async function runCancelCommand(
  command: CancelCommand,
  context: CommandContext,
): Promise<ExitCode> {
  const { serverUrl, planId } = command;
  try {
    const { status } = await createSluiceClient(serverUrl, context.apiKey).plan.cancel.mutate(
      { planId },
      { signal: context.interrupt },
    );
    context.stdout(
      status === 'cancelled'
        ? `Plan ${planId}: cancelled\n`
        : `Plan ${planId} was not generating; its status stays ${status}\n`,
    );
    return exitCodes.success;
  } catch (error) {
    return reportError(context, error, { serverUrl });
  }
}
