import type {
  GenerationStatus,
  PartialPlanDocument,
  PlanWeek,
  TerminalGenerationStatus,
} from './schemas/plan';

export type StreamErrorCode =
  | 'UPSTREAM_HTTP'
  | 'UPSTREAM_STREAM'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'INVALID_OUTPUT'
  | 'INTERNAL';

export interface StreamError {
  code: StreamErrorCode;
  message: string;
  retryable: boolean;
}

/** Why a generation stopped, when its status alone does not say. */
export type EndReason =
  | 'cancelled'
  | 'abandoned'
  | 'timeout'
  | 'idle-timeout'
  | 'length'
  | 'no-finish-reason'
  | 'upstream-error'
  | 'invalid-output'
  | 'server-restart'
  /** The instance running it died; another one recovered it (several instances, API.md). */
  | 'instance-lost'
  /** Stopped before its cost crossed the generation's ceiling or the user's monthly budget. */
  | 'budget';

/** First event of a subscription that is not an exact resume. */
export interface SnapshotEvent {
  type: 'snapshot';
  status: GenerationStatus;
  content: string;
  plan?: PartialPlanDocument;
}

/** Raw text appended to `content`. */
export interface TextDeltaEvent {
  type: 'text-delta';
  text: string;
}

/**
 * Where a cost comes from: `billed` (the provider's figure), `computed` (tokens × the price
 * table) or `estimated` (tokens counted by Sluice: a running figure while streaming, or a
 * stopped stream before its bill arrived).
 */
export type CostSource = 'billed' | 'computed' | 'estimated';

export interface UsageEvent {
  type: 'usage';
  inputTokens: number;
  outputTokens: number;
  /** USD. */
  cost?: number;
  costSource?: CostSource;
}

/** Last event of every subscription; the subscription then returns. */
export interface EndEvent {
  type: 'end';
  status: TerminalGenerationStatus;
  error?: StreamError;
  reason?: EndReason;
}

/** The monthly summary string has closed in the streamed document. */
export interface SummaryEndEvent {
  type: 'summary-end';
  summary: string;
}

/** A new week object has opened in `weeks` (index is its position, from 0). */
export interface WeekStartEvent {
  type: 'week-start';
  index: number;
}

/** A week object has closed; `week` is set when it validated against the plan schema. */
export interface WeekEndEvent {
  type: 'week-end';
  index: number;
  week?: PlanWeek;
  valid: boolean;
}

export type StreamEvent = SnapshotEvent | TextDeltaEvent | UsageEvent | EndEvent;
export type PlanSemanticEvent = SummaryEndEvent | WeekStartEvent | WeekEndEvent;
export type PlanEvent = StreamEvent | PlanSemanticEvent;
export type PlanEventType = PlanEvent['type'];

/** First event of every chat reply: which user message it answers. */
export interface MessageStartEvent {
  type: 'message-start';
  userMessage: { id: string; content: string; createdAt: string };
  /** Set when the reply may carry an HTML experiment. */
  artifactId?: string;
}

/** The reply opened a ```html block: an experiment is being written. */
export interface ArtifactStartEvent {
  type: 'artifact-start';
  artifactId: string;
}

/** The ```html block closed. */
export interface ArtifactEndEvent {
  type: 'artifact-end';
  artifactId: string;
  title: string;
}

export type ChatSemanticEvent = MessageStartEvent | ArtifactStartEvent | ArtifactEndEvent;

/** A chat session as the API returns it (`chat.getSession`'s `session`, `chat.listSessions`). */
export interface ChatSessionView {
  id: string;
  title: string;
  model: string;
  systemPrompt: string;
  character: string;
  userProfile: string;
  experiment: boolean;
  /** The most one reply may cost, USD; null: the server's MAX_COST_PER_GENERATION_USD. */
  maxCostUsd?: number | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The session changed: named after its first message, `chat.renameSession`,
 * `chat.updateSession`. Live only (a resume does not replay it; a client that reconnects
 * reads the session again). Its id is the subscriber's position in the replies, so
 * resuming from it is the same as resuming from the reply event before it.
 */
export interface SessionUpdatedEvent {
  type: 'session-updated';
  session: ChatSessionView;
}

/** An event of one reply: it names the assistant message it belongs to. */
export type ChatReplyEvent = (StreamEvent | ChatSemanticEvent) & { messageId: string };

/** A `chat.events` event: a reply's (with its `messageId`), or the session's (`messageId: null`). */
export type ChatEvent = ChatReplyEvent | (SessionUpdatedEvent & { messageId: null });
