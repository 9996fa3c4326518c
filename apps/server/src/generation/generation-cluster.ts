import type { GenerationStatus } from '@sluice/shared';
import type { GenerationEvent } from './generation-engine';
import type { StreamLog } from './stream-log';

/** A generation running on another instance, as this one can follow it. */
export interface RemoteGeneration<TSemantic extends { type: string }> {
  /** `generating`, or the status its `end` event gave. */
  status: GenerationStatus;
  /** Rebuilt from what its owner published: replays exactly as on the owner. */
  log: StreamLog<GenerationEvent<TSemantic>>;
}

/**
 * What one kind of generation needs when several instances share the work (Redis). With one
 * instance (SQLite, the in-process bus) there is none, and every generation runs here.
 */
export interface GenerationCluster<TSemantic extends { type: string }> {
  /** Takes the lease on a generation that starts here (events on `topic`), before its upstream request. */
  acquire(generationId: string, topic: string): Promise<void>;
  /** Gives the lease back once the generation's `end` is published. */
  release(generationId: string): void;
  /** Whether a subscriber on another instance watches it (asked before abandoning it). */
  watchedElsewhere(generationId: string): Promise<boolean>;
  /** Counts a watcher on this instance of a generation running on another one. */
  watch(generationId: string): () => void;
  /**
   * Cancels a generation running on another instance and resolves once it has ended there;
   * undefined when no live instance runs it (a dead owner's generations are recovered first).
   */
  cancelElsewhere(
    generationId: string,
  ): Promise<{ status: GenerationStatus; cancelled: boolean } | undefined>;
  /** Resolves once live events on `topic` reach this instance: read what was published after. */
  subscribed(topic: string): Promise<void>;
  /** A generation another instance runs (or ran a moment ago), or undefined. */
  loadRemote(generationId: string): Promise<RemoteGeneration<TSemantic> | undefined>;
  /** Writes to the generation's history without delivering it live (a continuation's start). */
  record(message: { generationId: string; id: string; sequence: number; event: unknown }): void;
}
