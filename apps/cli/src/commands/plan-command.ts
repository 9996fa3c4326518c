import { createSluiceClient } from '../client';
import type { CommandContext } from '../command-context';
import type { ExitCode } from '../exit-codes';
import type { Command } from '../parse-command-line';
import { formatHeader } from '../render-plan-stream';
import { reportError } from './report-error';
import { streamPlan } from './stream-plan';

export type PlanCommand = Extract<Command, { name: 'plan' }>;

/** `sluice plan "goals…"`: creates a plan and streams it; Ctrl-C cancels it on the server. */
export async function runPlanCommand(
  command: PlanCommand,
  context: CommandContext,
): Promise<ExitCode> {
  const { serverUrl } = command;
  const client = createSluiceClient(serverUrl, context.apiKey);
  let planId: string;
  try {
    const [info, created] = await Promise.all([
      client.system.info.query(),
      client.plan.create.mutate(command.request),
    ]);
    planId = created.planId;
    if (!command.json) {
      const model = command.request.model ?? info.defaultModel;
      context.stdout(`${formatHeader({ planId, model, simulated: info.simulated })}\n`);
    }
  } catch (error) {
    return reportError(context, error, { serverUrl });
  }
  return streamPlan(
    { client, serverUrl, planId, json: command.json, onInterrupt: 'cancel' },
    context,
  );
}
