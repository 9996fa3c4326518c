import type { PlanSummary } from '@sluice/server';
import { createSluiceClient } from '../client';
import type { CommandContext } from '../command-context';
import { type ExitCode, exitCodes } from '../exit-codes';
import type { Command } from '../parse-command-line';
import { reportError } from './report-error';

export type ListCommand = Extract<Command, { name: 'list' }>;

const descriptionMaxLength = 60;

function truncate(text: string, maxLength: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** One row: id, status, creation time (UTC, to the minute), then the title or else the goals. */
export function formatPlanRow(plan: PlanSummary): string {
  const created = `${plan.createdAt.slice(0, 16).replace('T', ' ')}Z`;
  const description = truncate(plan.title ?? plan.goals, descriptionMaxLength);
  return `${plan.id}  ${plan.status.padEnd(10)}  ${created}  ${description}\n`;
}

/** `sluice list`: the newest plans first. */
export async function runListCommand(
  command: ListCommand,
  context: CommandContext,
): Promise<ExitCode> {
  const { serverUrl, limit } = command;
  try {
    const { items } = await createSluiceClient(serverUrl, context.apiKey).plan.list.query(
      limit === undefined ? {} : { limit },
      { signal: context.interrupt },
    );
    if (command.json) context.stdout(`${JSON.stringify(items, null, 2)}\n`);
    else if (items.length === 0)
      context.stdout('No plans yet. Start one with: sluice plan "your goals"\n');
    else context.stdout(items.map(formatPlanRow).join(''));
    return exitCodes.success;
  } catch (error) {
    return reportError(context, error, { serverUrl });
  }
}
