import {
  createPlanStreamParser,
  type EndEvent,
  type EndReason,
  type PlanEvent,
  type PlanParseEvent,
  type PlanSemanticEvent,
  type PlanStreamParser,
  type PlanWeek,
  type UsageEvent,
  type WeekEndEvent,
} from '@sluice/shared';

export interface StreamProgress {
  /** Characters of the plan's text received so far. */
  characters: number;
  weeksDone: number;
}

export interface PlanStreamRenderer {
  /** The text for stdout that this event adds (often empty). */
  render(event: PlanEvent): string;
  readonly progress: StreamProgress;
  /** The plan's text as assembled: a snapshot replaces it, a text-delta appends to it. */
  readonly content: string;
}

/**
 * Turns plan events into terminal text: the title once it is complete, the monthly
 * summary as it grows, each week when the server says it ended, then usage and status.
 * The summary and title come from parsing the text locally (the server sends no
 * events for them); after a snapshot, the weeks it covers come from its text too,
 * since the server does not repeat the events a snapshot covers.
 */
export function createPlanStreamRenderer(): PlanStreamRenderer {
  let content = '';
  let pending = '';
  /** The last two characters written, starting as if after a blank line. */
  let tail = '\n\n';
  let replayingSnapshot = false;
  let titleShown = false;
  let summarySeen = '';
  let summaryShown = '';
  let summaryClosed = false;
  const weeksShown = new Set<number>();
  let usage: UsageEvent | undefined;
  let parser = createParser();

  function createParser(): PlanStreamParser {
    summarySeen = '';
    return createPlanStreamParser({ onEvent: handleParseEvent });
  }

  function write(text: string): void {
    pending += text;
    tail = (tail + text).slice(-2);
  }

  function endParagraph(): void {
    if (tail !== '\n\n') write(tail.endsWith('\n') ? '\n' : '\n\n');
  }

  function handleParseEvent(event: PlanParseEvent): void {
    if (event.type === 'summary-delta') growSummary(event.text);
    else if (replayingSnapshot) showStructure(event);
  }

  function showStructure(event: PlanSemanticEvent): void {
    if (event.type === 'summary-end') closeSummary(event.summary);
    else if (event.type === 'week-end') showWeek(event);
  }

  /** The title is complete once the document has moved on to another field (or ended). */
  function showTitle({ force }: { force: boolean }): void {
    const { title } = parser.plan;
    if (titleShown || typeof title !== 'string') return;
    if (!force && Object.keys(parser.plan).at(-1) === 'title') return;
    titleShown = true;
    endParagraph();
    write(`${title}\n${'─'.repeat(Math.min(title.length, 60))}\n\n`);
  }

  function growSummary(text: string): void {
    showTitle({ force: false });
    summarySeen += text;
    // After a snapshot the summary is parsed again: show only what extends what is shown.
    if (summarySeen.length <= summaryShown.length || !summarySeen.startsWith(summaryShown)) return;
    write(summarySeen.slice(summaryShown.length));
    summaryShown = summarySeen;
  }

  function closeSummary(summary: string): void {
    if (summaryClosed) return;
    showTitle({ force: false });
    if (summary.startsWith(summaryShown)) write(summary.slice(summaryShown.length));
    summaryShown = summary;
    summaryClosed = true;
    endParagraph();
  }

  function showWeek(event: WeekEndEvent): void {
    if (weeksShown.has(event.index)) return;
    showTitle({ force: false });
    endParagraph();
    weeksShown.add(event.index);
    write(event.week ? formatWeek(event.week) : formatInvalidWeek(event.index));
  }

  function feed(text: string): void {
    content += text;
    parser.feed(text);
    showTitle({ force: false });
  }

  function replaceWith(snapshotContent: string): void {
    content = '';
    parser = createParser();
    replayingSnapshot = true;
    feed(snapshotContent);
    replayingSnapshot = false;
  }

  function finish(end: EndEvent): void {
    showTitle({ force: true });
    endParagraph();
    if (usage) write(`${formatUsage(usage)}\n`);
    write(`${formatEnd(end)}\n`);
  }

  function apply(event: PlanEvent): void {
    switch (event.type) {
      case 'snapshot':
        replaceWith(event.content);
        break;
      case 'text-delta':
        feed(event.text);
        break;
      case 'usage':
        usage = event;
        break;
      case 'end':
        finish(event);
        break;
      case 'summary-end':
      case 'week-start':
      case 'week-end':
        showStructure(event);
        break;
    }
  }

  return {
    render(event) {
      apply(event);
      const output = pending;
      pending = '';
      return output;
    },
    get progress() {
      return { characters: content.length, weeksDone: weeksShown.size };
    },
    get content() {
      return content;
    },
  };
}

export function formatHeader(options: {
  planId: string;
  model: string;
  simulated: boolean;
}): string {
  const label = options.simulated ? `${options.model} (simulated model)` : options.model;
  return `Plan ${options.planId} · ${label}\n`;
}

export function formatWeek(week: PlanWeek): string {
  const tasks = week.tasks.map((task) => {
    const when = [
      task.day === undefined ? undefined : `day ${task.day}`,
      task.minutes === undefined ? undefined : `${task.minutes} min`,
    ].filter((part) => part !== undefined);
    const timing = when.length > 0 ? ` (${when.join(', ')})` : '';
    const detail = task.detail ? ` — ${task.detail}` : '';
    return `  • ${task.title}${timing}${detail}\n`;
  });
  return `Week ${week.week} · ${week.focus}\n${tasks.join('')}`;
}

function formatInvalidWeek(index: number): string {
  return `Week ${index + 1} · (this week does not match the plan format)\n`;
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatUsage(usage: Omit<UsageEvent, 'type'>): string {
  const tokens = `${numberFormat.format(usage.inputTokens)} input + ${numberFormat.format(usage.outputTokens)} output tokens`;
  return usage.cost === undefined
    ? `Usage: ${tokens}`
    : `Usage: ${tokens} · $${usage.cost.toFixed(4)}`;
}

const endReasonDescriptions: Record<EndReason, string> = {
  cancelled: 'cancelled on request',
  abandoned: 'nobody was watching, so the server stopped it',
  timeout: 'it took longer than the server allows',
  'idle-timeout': 'the model went silent',
  length: 'the model reached its output limit',
  'no-finish-reason': 'the model stream ended without finishing',
  'upstream-error': 'the model provider reported an error',
  'invalid-output': 'the model output is not a valid plan',
  'server-restart': 'the server restarted while writing it',
  'instance-lost': 'the server instance writing it stopped',
  budget: 'its cost reached the spending limit',
};

export function formatEnd(end: Omit<EndEvent, 'type'>): string {
  const details = [
    end.error?.message,
    end.reason ? endReasonDescriptions[end.reason] : undefined,
    end.error?.retryable ? 'trying again may help' : undefined,
  ].filter((detail) => detail !== undefined);
  return details.length > 0
    ? `Status: ${end.status} — ${details.join('; ')}`
    : `Status: ${end.status}`;
}

export function formatProgress(progress: StreamProgress, elapsedMs: number): string {
  const weeks = progress.weeksDone === 1 ? '1 week' : `${progress.weeksDone} weeks`;
  return `${(elapsedMs / 1000).toFixed(1)} s · ${numberFormat.format(progress.characters)} characters · ${weeks} done`;
}
