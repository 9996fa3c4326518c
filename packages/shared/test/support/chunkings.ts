import { createSeededRandom, type Random, randomInteger } from './seeded-random';

export interface Chunking {
  name: string;
  chunks: string[];
}

/** Cuts `text` into pieces of `size` UTF-16 code units (the last one may be shorter). */
export function splitEvery(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) {
    chunks.push(text.slice(start, start + size));
  }
  return chunks;
}

/** Cuts `text` into pieces of 1 to `maxSize` code units, as a model's tokens arrive. */
export function splitRandomly(text: string, random: Random, maxSize = 20): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = start + randomInteger(random, 1, maxSize);
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Every way of cutting `text` into two pieces (one of them may be empty). */
export function splitsInTwo(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, index) => [
    text.slice(0, index),
    text.slice(index),
  ]);
}

/** The chunkings every parser test runs: whole, one character at a time, and seeded random sizes. */
export function chunkings(text: string, seeds: readonly number[] = [1, 2, 3, 4, 5]): Chunking[] {
  return [
    { name: 'whole', chunks: [text] },
    { name: 'in 1-character chunks', chunks: splitEvery(text, 1) },
    { name: 'in 4-character chunks', chunks: splitEvery(text, 4) },
    ...seeds.map((seed) => ({
      name: `in random chunks (seed ${seed})`,
      chunks: splitRandomly(text, createSeededRandom(seed)),
    })),
  ];
}
