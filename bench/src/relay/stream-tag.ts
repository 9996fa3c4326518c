/**
 * Every bench stream carries a tag in its goals (`bench-<run>-<index>`), so the
 * simulator's record of a completion can be matched to the client that read it.
 */
const tagPattern = /\bbench-[a-z0-9]+-\d+\b/;

export function streamTag(runId: string, index: number): string {
  return `bench-${runId}-${index}`;
}

export function findStreamTag(text: string): string | undefined {
  return tagPattern.exec(text)?.[0];
}

/** Goals that get a plan document; the tag makes each stream's content distinct. */
export function benchGoals(tag: string): string {
  return `Run a 10k in under an hour and learn conversational Spanish (${tag}).`;
}

/**
 * The simulator's `length-after-<K>` fault ends a stream cleanly after K pieces
 * (finish_reason "length", usage, [DONE]), which keeps bench streams short.
 */
export function benchModel(pieces: number): string {
  return `sluice/simulator@length-after-${pieces}`;
}
