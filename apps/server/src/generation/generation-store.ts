import type { BilledUsage } from '@sluice/db';
import type { GenerationStatus } from '@sluice/shared';
import type { ContentAppend } from './content-flusher';
import type { GenerationEvent } from './generation-engine';
import type { GenerationResult } from './generation-outcome';
import type { StreamLog } from './stream-log';

/** A generation read back from storage: its status, a log rebuilt from saved content, its document. */
export interface StoredStream<TSemantic extends { type: string }> {
  status: GenerationStatus;
  log: StreamLog<GenerationEvent<TSemantic>>;
  /** The document as saved (a plan), or null when the kind has none to show. */
  document: unknown;
}

/**
 * Where one kind of generation (plans, chat replies) is persisted. Every write the engine
 * makes for a generation goes through here, and nothing else writes a generation's progress:
 * a second storage engine, or lease-based recovery, plugs in by implementing this.
 *
 * The row itself (status `generating`) is created by the feature before the engine starts,
 * in the transaction that also takes the quota; the store never inserts.
 */
export interface GenerationStore<TSemantic extends { type: string }> {
  /**
   * Upstream attempt `attempt` (1, 2, …) has started. Attempt 1 also stamps the start of
   * generation. Best effort: the engine logs a failure and carries on.
   */
  markAttempt(id: string, attempt: number): Promise<void>;
  /**
   * Appends streamed text to the saved content of generations still `generating`, for every
   * generation in the batch at once (one transaction, one statement per table). Called by the
   * engine's throttled flusher, never per token; a failure is logged and the text is written
   * at `finish` anyway.
   */
  append(appends: readonly ContentAppend[]): Promise<void>;
  /**
   * Moves a generation still `generating` to its terminal state with the whole text, the
   * document and the usage; resolves false when it was no longer generating (nothing written).
   * Runs before the engine publishes `end`: a subscriber told `end` can read the saved row.
   */
  finish(id: string, result: GenerationResult): Promise<boolean>;
  /**
   * A generation not running in this process, rebuilt from storage with the same events the
   * live one had (so event ids resume exactly), or undefined when there is none with that id.
   * It does not check ownership: callers resolve the owner first.
   */
  loadStored(id: string): Promise<StoredStream<TSemantic> | undefined>;
  /**
   * Generations left `generating` by a process that died become `partial` with this reason,
   * keeping the content saved so far; returns their ids. Without `ids` (one instance, at
   * boot) every generating row; with `ids` (a dead instance's, several instances) only those.
   */
  recover(reason: string, ids?: readonly string[]): Promise<string[]>;
  /**
   * The provider's bill for a finished generation arrived (after a stop): replaces the
   * stored estimate. Resolves false when nothing changed (a billed figure is never replaced).
   */
  saveBilledUsage?(id: string, usage: BilledUsage): Promise<boolean>;
}
