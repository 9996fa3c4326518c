import {
  type CostSource,
  createPlanStreamParser,
  type GenerationStatus,
  type PartialPlanDocument,
  type PlanEvent,
  type PlanParseEvent,
  type PlanStreamParser,
  type PlanWeek,
  type StreamError,
  type TerminalGenerationStatus,
} from '@sluice/shared';

/** How the page is getting its updates (`data-state` of the connection status). */
export type { ConnectionMode } from '../../lib/connection-fallback';

import type { ConnectionMode } from '../../lib/connection-fallback';
import { createFrameStore, type Schedule, type SnapshotSource } from '../../lib/frame-store';

export interface PlanUsageView {
  inputTokens: number;
  outputTokens: number;
  cost: number | null;
  /** `billed`, `computed` or `estimated` (while streaming, or a stop before the bill). */
  costSource?: CostSource | null;
}

export interface TaskView {
  title?: string;
  detail?: string;
  day?: number;
  minutes?: number;
}

export interface WeekView {
  index: number;
  week?: number;
  focus?: string;
  tasks: readonly TaskView[];
  /** Its `week-end` arrived: the week object closed in the document. */
  complete: boolean;
  /** Whether the closed week matched the plan schema (null while it is open). */
  valid: boolean | null;
}

export interface PlanOutcome {
  status: TerminalGenerationStatus;
  reason: string | null;
  error: StreamError | null;
}

/** What React renders: an immutable copy, rebuilt at most once per animation frame. */
export interface PlanStreamSnapshot {
  /** Null until the first event or poll says. */
  status: GenerationStatus | null;
  /** Exactly the text the model sent so far. */
  content: string;
  title: string | undefined;
  /** The title string has closed (the document moved on past it). */
  titleComplete: boolean;
  summary: string | undefined;
  summaryComplete: boolean;
  weeks: readonly WeekView[];
  usage: PlanUsageView | null;
  outcome: PlanOutcome | null;
  connection: ConnectionMode;
  /** Whether this page has been live at least once (to say "Connecting…" or "Reconnecting…"). */
  everLive: boolean;
  notFound: boolean;
}

/** What a reload needs to resume exactly: the last event id and the content it covers. */
export interface PlanResumeState {
  /** Null when the content came from polling, which has no event id: resume with a snapshot. */
  lastEventId: string | null;
  content: string;
  status: GenerationStatus;
  usage: PlanUsageView | null;
  outcome: PlanOutcome | null;
}

/** The fields of `plan.get` that polling applies. */
export interface PlanViewUpdate {
  status: GenerationStatus;
  content: string;
  reason: string | null;
  error: StreamError | null;
  usage: PlanUsageView | null;
}

export interface PlanStreamStoreOptions {
  resume?: PlanResumeState | null;
  /** Runs the publication later; `requestAnimationFrame` in the browser. */
  schedule?: Schedule;
}

export interface PlanStreamStore extends SnapshotSource<PlanStreamSnapshot> {
  /** Applies one event of `plan.events` exactly: snapshot replaces, text-delta appends. */
  apply(id: string | undefined, event: PlanEvent): void;
  /** Applies a `plan.get` answer (the polling fallback): the server's content replaces ours. */
  applyView(view: PlanViewUpdate): void;
  setConnection(connection: ConnectionMode): void;
  setNotFound(): void;
  readonly lastEventId: string | null;
  /** Counts replacements by polling, so a subscription opened before one can tell. */
  readonly pollReplacements: number;
  readonly ended: boolean;
  resumeState(): PlanResumeState | null;
}

function isTerminal(status: GenerationStatus): status is TerminalGenerationStatus {
  return status !== 'generating';
}

function copyTask(task: Partial<TaskView> | undefined): TaskView {
  if (!task) return {};
  const copy: TaskView = {};
  if (typeof task.title === 'string') copy.title = task.title;
  if (typeof task.detail === 'string') copy.detail = task.detail;
  if (typeof task.day === 'number') copy.day = task.day;
  if (typeof task.minutes === 'number') copy.minutes = task.minutes;
  return copy;
}

type PartialWeek = NonNullable<PartialPlanDocument['weeks']>[number];

function copyWeek(
  index: number,
  week: PartialWeek | PlanWeek | undefined,
  completion: WeekCompletion | undefined,
): WeekView {
  const source = completion?.week ?? week;
  const view: WeekView = {
    index,
    tasks: Array.isArray(source?.tasks) ? source.tasks.map(copyTask) : [],
    complete: completion !== undefined,
    valid: completion ? completion.valid : null,
  };
  if (typeof source?.week === 'number') view.week = source.week;
  if (typeof source?.focus === 'string') view.focus = source.focus;
  return view;
}

/** Whether the title string has closed: the document moved past it, or its closing quote arrived. */
function isTitleComplete(plan: PartialPlanDocument, content: string): boolean {
  if (plan.monthly_summary !== undefined || plan.weeks !== undefined) return true;
  return typeof plan.title === 'string' && content.includes(JSON.stringify(plan.title));
}

interface WeekCompletion {
  valid: boolean;
  week?: PlanWeek;
}

/**
 * The event → state logic of one plan page. Events go into mutable state (append the
 * text, feed the incremental parser: nothing else per token); React gets an immutable
 * snapshot at most once per animation frame.
 */
export function createPlanStreamStore(options: PlanStreamStoreOptions = {}): PlanStreamStore {
  let content = '';
  let status: GenerationStatus | null = null;
  let usage: PlanUsageView | null = null;
  let outcome: PlanOutcome | null = null;
  let lastEventId: string | null = null;
  let connection: ConnectionMode = 'reconnecting';
  let everLive = false;
  let notFound = false;
  let pollReplacements = 0;

  let parser: PlanStreamParser;
  let summaryComplete = false;
  const completions = new Map<number, WeekCompletion>();
  /** Copies of closed weeks: they no longer change, so each frame reuses them. */
  const closedWeekViews = new Map<number, WeekView>();

  function onParseEvent(event: PlanParseEvent): void {
    if (event.type === 'summary-end') summaryComplete = true;
    else if (event.type === 'week-end') completeWeek(event.index, event.valid, event.week);
  }

  function completeWeek(index: number, valid: boolean, week: PlanWeek | undefined): void {
    if (completions.has(index)) return;
    completions.set(index, week ? { valid, week } : { valid });
  }

  /** Starts over from `text`: a new parser fed once with all of it (O(n), only on replacement). */
  function replaceContent(text: string): void {
    content = text;
    summaryComplete = false;
    completions.clear();
    closedWeekViews.clear();
    parser = createPlanStreamParser({ onEvent: onParseEvent });
    if (text.length > 0) parser.feed(text);
  }

  replaceContent(options.resume?.content ?? '');
  if (options.resume) {
    lastEventId = options.resume.lastEventId;
    status = options.resume.status;
    usage = options.resume.usage;
    outcome = options.resume.outcome;
  }

  const frames = createFrameStore(build, options.schedule);

  function build(): PlanStreamSnapshot {
    const plan = parser.plan;
    const weeks: WeekView[] = [];
    const streamedWeeks = Array.isArray(plan.weeks) ? plan.weeks : [];
    for (let index = 0; index < streamedWeeks.length; index += 1) {
      const closed = closedWeekViews.get(index);
      if (closed) {
        weeks.push(closed);
        continue;
      }
      const completion = completions.get(index);
      const view = copyWeek(index, streamedWeeks[index], completion);
      if (completion) closedWeekViews.set(index, view);
      weeks.push(view);
    }
    return {
      status,
      content,
      title: typeof plan.title === 'string' ? plan.title : undefined,
      titleComplete: isTitleComplete(plan, content),
      summary: typeof plan.monthly_summary === 'string' ? plan.monthly_summary : undefined,
      summaryComplete,
      weeks,
      usage,
      outcome,
      connection,
      everLive,
      notFound,
    };
  }

  return {
    apply(id, event) {
      switch (event.type) {
        case 'snapshot':
          replaceContent(event.content);
          status = event.status;
          if (event.status === 'generating') outcome = null;
          break;
        case 'text-delta':
          content += event.text;
          parser.feed(event.text);
          break;
        case 'summary-end':
          summaryComplete = true;
          break;
        case 'week-start':
          break;
        case 'week-end':
          completeWeek(event.index, event.valid, event.week);
          break;
        case 'usage':
          usage = {
            inputTokens: event.inputTokens,
            outputTokens: event.outputTokens,
            cost: event.cost ?? null,
            ...(event.costSource ? { costSource: event.costSource } : {}),
          };
          break;
        case 'end':
          status = event.status;
          outcome = {
            status: event.status,
            reason: event.reason ?? null,
            error: event.error ?? null,
          };
          break;
      }
      if (status === null) status = 'generating';
      if (id !== undefined) lastEventId = id;
      frames.changed();
    },

    applyView(view) {
      if (view.content !== content) {
        replaceContent(view.content);
        // Polled content has no event id: a later subscription must start from a snapshot.
        lastEventId = null;
        pollReplacements += 1;
      }
      status = view.status;
      if (view.usage) usage = view.usage;
      outcome = isTerminal(view.status)
        ? { status: view.status, reason: view.reason, error: view.error }
        : null;
      frames.changed();
    },

    setConnection(next) {
      if (next === 'live') everLive = true;
      if (next === connection) return;
      connection = next;
      frames.changed();
    },

    setNotFound() {
      notFound = true;
      frames.changed();
    },

    get lastEventId() {
      return lastEventId;
    },
    get pollReplacements() {
      return pollReplacements;
    },
    get ended() {
      return outcome !== null;
    },

    resumeState() {
      if (status === null) return null;
      return { lastEventId, content, status, usage, outcome };
    },

    subscribe: frames.subscribe,
    getSnapshot: frames.getSnapshot,
    watch: frames.watch,
    flush: frames.flush,
  };
}
