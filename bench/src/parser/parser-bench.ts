import { performance } from 'node:perf_hooks';
import { type ParserContender, parserContenders } from './parser-contenders';
import { generatePlanDocument } from './plan-document';

export interface ParserBenchOptions {
  /** Also time the sizes that a quadratic parser needs minutes for. */
  full?: boolean;
}

type Cell = { medianMs: number; runs: number } | { skippedAfterMs: number };

const documentSizes = [10_000, 50_000, 200_000];
const chunkSize = 4;
/** Each contender first runs on the smallest document for this long, then warms up on each size. */
const warmupMs = 1_000;
const warmupRuns = 5;
const measuredRuns = 21;
/** A run slower than this is not repeated for warm-up, and is repeated only within `cellBudgetMs`. */
const slowRunMs = 1_000;
const cellBudgetMs = 10_000;
/** Larger documents are skipped once a parser takes this long per document (unless `full`). */
const skipAfterMs = 2_000;

/**
 * Streams plan-like documents of 10, 50 and 200 kB in 4-character chunks through each
 * parser, reading the partial document after every chunk, and prints the median time per
 * document and how it grows with the input (20× from 10 kB to 200 kB: linear parsers stay
 * near 20×, parsers that re-read the text so far approach 400×).
 */
export async function runParserBench(options: ParserBenchOptions = {}): Promise<void> {
  const documents = documentSizes.map((size) => splitEvery(generatePlanDocument(size), chunkSize));
  console.log(
    `\nPartial-JSON parsing: plan documents fed in ${chunkSize}-character chunks, partial document read after every chunk`,
  );
  const rows = parserContenders.map((contender) => {
    checkContender(contender, documents[0] ?? []);
    return { contender: contender.name, cells: measureSizes(contender, documents, options) };
  });
  printTable(rows);
}

/** Makes sure a contender really produces the document before timing it. */
function checkContender(contender: ParserContender, chunks: readonly string[]): void {
  const expected = JSON.stringify(JSON.parse(chunks.join('')));
  const actual = JSON.stringify(contender.streamDocument(chunks));
  if (actual !== expected) throw new Error(`${contender.name} did not produce the document`);
}

function measureSizes(
  contender: ParserContender,
  documents: ReadonlyArray<readonly string[]>,
  { full = false }: ParserBenchOptions,
): Cell[] {
  warmUp(contender, documents[0] ?? []);
  const cells: Cell[] = [];
  let previousMs = 0;
  for (const chunks of documents) {
    if (!full && previousMs > skipAfterMs) {
      cells.push({ skippedAfterMs: previousMs });
      continue;
    }
    const cell = measure(contender, chunks);
    cells.push(cell);
    previousMs = cell.medianMs;
  }
  return cells;
}

/** Lets the JIT compile a contender's hot paths before anything is timed. */
function warmUp(contender: ParserContender, chunks: readonly string[]): void {
  const deadline = performance.now() + warmupMs;
  while (performance.now() < deadline) {
    if (elapsedOf(contender, chunks) > slowRunMs) return;
  }
}

function measure(
  contender: ParserContender,
  chunks: readonly string[],
): { medianMs: number; runs: number } {
  const probeMs = elapsedOf(contender, chunks);
  const slow = probeMs > slowRunMs;
  for (let run = 1; run < warmupRuns && !slow; run += 1) elapsedOf(contender, chunks);
  const runs = slow ? Math.max(1, Math.floor(cellBudgetMs / probeMs)) : measuredRuns;
  const times = Array.from({ length: runs }, () => elapsedOf(contender, chunks));
  return { medianMs: median(times), runs };
}

function elapsedOf(contender: ParserContender, chunks: readonly string[]): number {
  const start = performance.now();
  contender.streamDocument(chunks);
  return performance.now() - start;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

function printTable(rows: ReadonlyArray<{ contender: string; cells: Cell[] }>): void {
  const header = ['parser', ...documentSizes.map((size) => `${size / 1000} kB`), 'growth'];
  const lines = rows.map(({ contender, cells }) => [
    contender,
    ...cells.map(formatCell),
    formatGrowth(cells),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
  console.log(
    `Median of ${measuredRuns} runs after ${warmupMs / 1000} s of warm-up, then ${warmupRuns} warm-up runs per size (fewer when a run takes over ${slowRunMs / 1000} s).`,
  );
}

function formatCell(cell: Cell): string {
  if ('skippedAfterMs' in cell) return 'skipped';
  const runs = cell.runs < measuredRuns ? ` (${cell.runs} run${cell.runs === 1 ? '' : 's'})` : '';
  return `${cell.medianMs.toFixed(1)} ms${runs}`;
}

/** Time growth from the smallest to the largest measured document, next to the input growth. */
function formatGrowth(cells: readonly Cell[]): string {
  const measured = cells.flatMap((cell, index) => {
    const size = documentSizes[index];
    return 'medianMs' in cell && size !== undefined ? [{ size, ms: cell.medianMs }] : [];
  });
  const first = measured[0];
  const last = measured[measured.length - 1];
  if (first === undefined || last === undefined || first === last) return '-';
  return `${(last.ms / first.ms).toFixed(1)}× for ${last.size / first.size}× input`;
}

function splitEvery(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) {
    chunks.push(text.slice(start, start + size));
  }
  return chunks;
}
