import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import {
  createAnthropicAdapter,
  createOpenAIResponsesAdapter,
  type ProviderAdapter,
} from '@sluice/server';
import OpenAI from 'openai';

const fixtures = new URL('../../../apps/server/src/providers/', import.meta.url);
const chunkBytes = 1024;
const repeats = 40;
const measuredRuns = 15;
const warmupRuns = 5;

interface Stream {
  name: string;
  body: Uint8Array;
  deltas: number;
}

/**
 * A long stream built from a real capture: its delta events repeated `repeats` times
 * between its first events and its last ones, so per-delta costs dominate.
 */
function lengthen(path: string, isDelta: (line: string) => boolean): Stream {
  const events = readFileSync(new URL(path, fixtures), 'utf8').split('\n\n').filter(Boolean);
  const first = events.findIndex((event) => isDelta(event));
  const last = events.findLastIndex((event) => isDelta(event));
  const deltas = events.slice(first, last + 1);
  const body = [
    ...events.slice(0, first),
    ...Array.from({ length: repeats }, () => deltas).flat(),
    ...events.slice(last + 1),
  ]
    .map((event) => `${event}\n\n`)
    .join('');
  return {
    name: path.split('/').at(-1) ?? path,
    body: new TextEncoder().encode(body),
    deltas: deltas.filter(isDelta).length * repeats,
  };
}

/** The body as a network would deliver it: 1 KiB reads. */
function responseOf(stream: Stream): Response {
  let offset = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= stream.body.length) return controller.close();
        controller.enqueue(stream.body.subarray(offset, offset + chunkBytes));
        offset += chunkBytes;
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

interface Contender {
  name: string;
  /** Streams the body and returns the text it assembled. */
  run(stream: Stream): Promise<string>;
}

function adapterContender(
  name: string,
  create: (fetch: typeof globalThis.fetch) => ProviderAdapter,
): Contender {
  return {
    name,
    async run(stream) {
      const adapter = create(async () => responseOf(stream));
      let text = '';
      for await (const event of adapter.stream(
        { model: 'bench', messages: [{ role: 'user', content: 'x' }] },
        new AbortController().signal,
      )) {
        if (event.type === 'text-delta') text += event.text;
      }
      return text;
    },
  };
}

const anthropicContenders: Contender[] = [
  adapterContender('Sluice adapter (fetch + eventsource-parser)', (fetch) =>
    createAnthropicAdapter({ baseUrl: 'http://bench', apiKey: 'x', fetch }),
  ),
  {
    name: '@anthropic-ai/sdk messages.create({ stream: true })',
    async run(stream) {
      const client = new Anthropic({
        apiKey: 'x',
        baseURL: 'http://bench',
        fetch: async () => responseOf(stream),
        maxRetries: 0,
      });
      const events = await client.messages.create({
        model: 'bench',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      });
      let text = '';
      for await (const event of events) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
          text += event.delta.text;
      }
      return text;
    },
  },
];

const openAIContenders: Contender[] = [
  adapterContender('Sluice adapter (fetch + eventsource-parser)', (fetch) =>
    createOpenAIResponsesAdapter({ baseUrl: 'http://bench', apiKey: 'x', fetch }),
  ),
  {
    name: 'openai 6 responses.create({ stream: true })',
    async run(stream) {
      const client = new OpenAI({
        apiKey: 'x',
        baseURL: 'http://bench',
        fetch: async () => responseOf(stream),
        maxRetries: 0,
      });
      const events = await client.responses.create({ model: 'bench', input: 'x', stream: true });
      let text = '';
      for await (const event of events) {
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      return text;
    },
  },
];

async function cpuPerDelta(contender: Contender, stream: Stream): Promise<number> {
  for (let run = 0; run < warmupRuns; run++) await contender.run(stream);
  const samples: number[] = [];
  for (let run = 0; run < measuredRuns; run++) {
    const before = process.cpuUsage();
    await contender.run(stream);
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / stream.deltas);
  }
  samples.sort((left, right) => left - right);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/**
 * Per-delta CPU of the adapters' stream reading against the official SDKs' on the same
 * bytes (lengthened real captures, 1 KiB reads, in-process: no network), and whether each
 * assembles the same text.
 */
export async function runProviderParserBench(): Promise<void> {
  const suites: Array<[string, Stream, Contender[]]> = [
    [
      'Anthropic Messages',
      lengthen('anthropic/__fixtures__/anthropic-messages-thinking.sse', (event) =>
        event.includes('"content_block_delta"'),
      ),
      anthropicContenders,
    ],
    [
      'OpenAI Responses',
      lengthen(
        'openai/__fixtures__/openai-responses-reasoning-summary.sse',
        (event) =>
          event.startsWith('event: response.output_text.delta') ||
          event.startsWith('event: response.reasoning_summary_text.delta'),
      ),
      openAIContenders,
    ],
  ];
  console.log(
    `\nProvider stream parsing: lengthened captures (${repeats}× their deltas) in ${chunkBytes}-byte reads, CPU per delta event (median of ${measuredRuns})`,
  );
  console.log('| API | reader | deltas | same text | CPU per delta |');
  console.log('|---|---|---|---|---|');
  for (const [api, stream, contenders] of suites) {
    const reference = await contenders[0]?.run(stream);
    for (const contender of contenders) {
      const text = await contender.run(stream);
      const microseconds = await cpuPerDelta(contender, stream);
      console.log(
        `| ${api} | ${contender.name} | ${stream.deltas.toLocaleString('en-US')} | ${text === reference ? 'yes' : 'NO'} | ${microseconds.toFixed(2)} µs |`,
      );
    }
  }
}
