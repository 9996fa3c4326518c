import type { ChatArtifactRow, ChatMessageRow, ChatSessionRow } from '@sluice/db';
import type {
  ChatSemanticEvent,
  ChatSessionView,
  CostSource,
  GenerationStatus,
  StreamError,
} from '@sluice/shared';
import type { LiveGeneration } from '../generation/generation-engine';
import { storedStreamError } from '../generation/generation-outcome';

export type { ChatSessionView };

export interface ChatMessageView {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  /** Null for user messages. */
  status: GenerationStatus | null;
  reason: string | null;
  error: StreamError | null;
  usage: {
    inputTokens: number;
    outputTokens: number;
    cost: number | null;
    costSource: CostSource | null;
  } | null;
  stats: {
    timeToFirstTokenMs: number | null;
    durationMs: number;
    chunks: number;
    characters: number;
  } | null;
  model: string | null;
  replyTo: string | null;
  artifactId: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface ChatArtifactView {
  id: string;
  messageId: string;
  title: string | null;
  html: string | null;
}

export function sessionView(row: ChatSessionRow): ChatSessionView {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    systemPrompt: row.system_prompt,
    character: row.character,
    userProfile: row.user_profile,
    experiment: row.experiment === 1,
    maxCostUsd: row.max_cost_usd,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function artifactView(row: ChatArtifactRow): ChatArtifactView {
  return { id: row.id, messageId: row.message_id, title: row.title, html: row.html };
}

/** A message as the API shows it; a reply running here shows its live text. */
export function messageView(
  row: ChatMessageRow,
  artifactId: string | null,
  live: LiveGeneration<ChatSemanticEvent> | undefined,
): ChatMessageView {
  return {
    id: row.id,
    role: row.role,
    content: live ? live.log.content() : row.content,
    status: live ? 'generating' : (row.status as GenerationStatus | null),
    reason: row.status_reason,
    error: storedStreamError(row) ?? null,
    usage:
      row.input_tokens !== null && row.output_tokens !== null
        ? {
            inputTokens: row.input_tokens,
            outputTokens: row.output_tokens,
            cost: row.cost,
            costSource: row.cost_source,
          }
        : null,
    stats:
      row.duration_ms !== null
        ? {
            timeToFirstTokenMs: row.time_to_first_token_ms,
            durationMs: row.duration_ms,
            chunks: row.chunks ?? 0,
            characters: row.characters ?? 0,
          }
        : null,
    model: row.model,
    replyTo: row.reply_to,
    artifactId,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
