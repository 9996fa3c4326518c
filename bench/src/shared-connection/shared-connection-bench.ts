import { mkdtempSync, rmSync } from 'node:fs';
import { type ClientRequest, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@sluice/simulator';
import { createParser } from 'eventsource-parser';
import { apiKeyHeaders, createBenchApiKey, postProcedure } from '../relay/bench-account';
import type { ProcessUsage, ServerInfo } from '../relay/protocol';
import { killAllWorkers, startWorker, type Worker } from '../relay/start-worker';

/** Per-tab connections (plan.events / chat.events each) against one shared stream.watch. */
export type ConnectionMode = 'per-tab' | 'shared';

interface Scenario {
  name: string;
  /** Distinct plans; each of the `watchers` follows plan `index % plans`. */
  plans: number;
  watchers: number;
}

export interface SharedConnectionRun {
  scenario: string;
  mode: ConnectionMode;
  connections: number;
  serverCpuMs: number;
  deliveredEvents: number;
  deliveredChars: number;
  cpuMicrosPerEvent: number;
  cpuMicrosPerKChars: number;
  exact: number;
  streams: number;
}

export interface SharedConnectionMemory {
  mode: ConnectionMode;
  watchers: number;
  heapBytesEach: number;
  rssBytesEach: number;
}

const workerUrl = new URL('../fanout/fanout-server-process.ts', import.meta.url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One SSE reader (plain http.get and eventsource-parser); every data event goes to `onData`. */
function openReader(
  url: string,
  headers: Record<string, string>,
  onData: (data: unknown) => void,
): { done: Promise<void>; request: ClientRequest; connected: Promise<void> } {
  let request!: ClientRequest;
  let connectedResolve!: () => void;
  const connected = new Promise<void>((resolve) => {
    connectedResolve = resolve;
  });
  const done = new Promise<void>((resolve, reject) => {
    request = get(url, { headers: { ...headers, accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`${url} answered ${response.statusCode}`));
        response.resume();
        return;
      }
      const parser = createParser({
        onEvent(event) {
          if (event.event === 'connected') connectedResolve();
          else if (event.event === 'return') {
            request.destroy();
            resolve();
          } else if (event.event === 'serialized-error') reject(new Error(event.data));
          else if (!event.event) onData(JSON.parse(event.data));
        },
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => parser.feed(chunk));
      response.on('end', () => resolve());
    });
    request.on('error', reject);
  });
  return { done, request, connected };
}

function assemble(text: string, event: { type: string; content?: string; text?: string }): string {
  if (event.type === 'snapshot') return event.content ?? '';
  if (event.type === 'text-delta') return text + (event.text ?? '');
  return text;
}

async function withServer<T>(
  directory: string,
  name: string,
  run: (server: Worker<ServerInfo>, headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const simulator = await startSimulator({
    tokensPerSecond: 40,
    firstTokenDelayMs: 1500,
    keepAliveIntervalMs: 1000,
  });
  const server = await startWorker<ServerInfo>(workerUrl, {
    env: { BENCH_UPSTREAM_URL: simulator.url, BENCH_DATA_DIR: join(directory, name) },
    execArgv: ['--expose-gc'],
  });
  try {
    const headers = apiKeyHeaders(await createBenchApiKey(server.info.url));
    return await run(server, headers);
  } finally {
    await server.stop().catch(() => undefined);
    await simulator.close();
  }
}

function watchUrl(base: string, channels: Array<{ kind: string; id: string }>): string {
  return `${base}/trpc/stream.watch?input=${encodeURIComponent(JSON.stringify({ channels }))}`;
}

async function runStreaming(
  directory: string,
  scenario: Scenario,
  mode: ConnectionMode,
): Promise<SharedConnectionRun> {
  return withServer(
    directory,
    `${scenario.plans}-${scenario.watchers}-${mode}`,
    async (server, headers) => {
      const url = server.info.url;
      const planIds: string[] = [];
      for (let index = 0; index < scenario.plans; index += 1) {
        const { planId } = (await postProcedure(
          url,
          'plan.create',
          { goals: `Bench plan ${index + 1}: run a 10k` },
          headers,
        )) as { planId: string };
        planIds.push(planId);
      }
      const planOf = (watcher: number) => planIds[watcher % planIds.length] as string;
      const texts: string[] = Array.from({ length: scenario.watchers }, () => '');
      let deliveredEvents = 0;
      let deliveredChars = 0;
      const count = (event: { type: string; text?: string }) => {
        if (event.type === 'text-delta') {
          deliveredEvents += 1;
          deliveredChars += event.text?.length ?? 0;
        }
      };
      const before = await server.request<ProcessUsage>('reset-peaks');
      let readers: Array<ReturnType<typeof openReader>>;
      if (mode === 'per-tab') {
        readers = texts.map((_, watcher) =>
          openReader(
            `${url}/trpc/plan.events?input=${encodeURIComponent(JSON.stringify({ planId: planOf(watcher) }))}`,
            headers,
            (data) => {
              const event = data as { type: string };
              count(event);
              texts[watcher] = assemble(texts[watcher] as string, event);
            },
          ),
        );
      } else {
        const channels = texts.map((_, watcher) => ({ kind: 'plan', id: planOf(watcher) }));
        readers = [
          openReader(watchUrl(url, channels), headers, (data) => {
            const message = data as { channel: number; event?: { type: string } };
            if (!message.event) return;
            count(message.event);
            texts[message.channel] = assemble(texts[message.channel] as string, message.event);
          }),
        ];
      }
      await Promise.all(readers.map((reader) => reader.done));
      const after = await server.request<ProcessUsage>('usage');
      const serverCpuMs =
        (after.cpuUserMicros +
          after.cpuSystemMicros -
          before.cpuUserMicros -
          before.cpuSystemMicros) /
        1000;
      const stored = new Map<string, string>();
      for (const planId of planIds) {
        const plan = (await fetch(
          `${url}/trpc/plan.get?input=${encodeURIComponent(JSON.stringify({ planId }))}`,
          { headers },
        ).then((response) => response.json())) as { result: { data: { content: string } } };
        stored.set(planId, plan.result.data.content);
      }
      const exact = texts.filter((text, watcher) => text === stored.get(planOf(watcher))).length;
      return {
        scenario: scenario.name,
        mode,
        connections: readers.length,
        serverCpuMs,
        deliveredEvents,
        deliveredChars,
        cpuMicrosPerEvent: (serverCpuMs * 1000) / Math.max(1, deliveredEvents),
        cpuMicrosPerKChars: (serverCpuMs * 1_000_000) / Math.max(1, deliveredChars),
        exact,
        streams: scenario.watchers,
      };
    },
  );
}

/** Idle chat sessions watched `watchers` times: the server's memory per watcher. */
async function runMemory(
  directory: string,
  mode: ConnectionMode,
  watchers: number,
): Promise<SharedConnectionMemory> {
  return withServer(directory, `memory-${mode}`, async (server, headers) => {
    const url = server.info.url;
    const sessions: string[] = [];
    for (let index = 0; index < watchers; index += 1) {
      const session = (await postProcedure(
        url,
        'chat.createSession',
        { title: `Idle ${index}` },
        headers,
      )) as { id: string };
      sessions.push(session.id);
    }
    const open = () =>
      mode === 'per-tab'
        ? sessions.map((sessionId) =>
            openReader(
              `${url}/trpc/chat.events?input=${encodeURIComponent(JSON.stringify({ sessionId }))}`,
              headers,
              () => {},
            ),
          )
        : [
            openReader(
              watchUrl(
                url,
                sessions.map((id) => ({ kind: 'chat', id })),
              ),
              headers,
              () => {},
            ),
          ];
    // Warm up the code paths, then measure a clean difference.
    const warm = open();
    await Promise.all(warm.map((reader) => reader.connected));
    for (const reader of warm) reader.request.destroy();
    await sleep(500);
    const empty = await server.request<{ rssBytes: number; heapUsedBytes: number }>('gc');
    const readers = open();
    await Promise.all(readers.map((reader) => reader.connected));
    await sleep(500);
    const full = await server.request<{ rssBytes: number; heapUsedBytes: number }>('gc');
    for (const reader of readers) reader.request.destroy();
    return {
      mode,
      watchers,
      heapBytesEach: (full.heapUsedBytes - empty.heapUsedBytes) / watchers,
      rssBytesEach: (full.rssBytes - empty.rssBytes) / watchers,
    };
  });
}

function formatReport(runs: SharedConnectionRun[], memory: SharedConnectionMemory[]): string {
  const lines = [
    '',
    'Shared event connection: server cost of one stream.watch against one connection per tab',
    '(simulator at 40 pieces/s; CPU of the server process while every stream runs to its end)',
    '',
    '| scenario | connections | server CPU ms | µs per delivered delta | µs per 1k chars | exact |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const run of runs) {
    lines.push(
      `| ${run.scenario}, ${run.mode === 'shared' ? 'shared stream.watch' : 'one connection per tab (baseline)'} | ${run.connections} | ${run.serverCpuMs.toFixed(0)} | ${run.cpuMicrosPerEvent.toFixed(1)} | ${run.cpuMicrosPerKChars.toFixed(1)} | ${run.exact}/${run.streams} |`,
    );
  }
  lines.push(
    '',
    '| idle watchers of chat sessions | heap per watcher | RSS per watcher |',
    '|---|---:|---:|',
  );
  for (const item of memory) {
    lines.push(
      `| ${item.watchers}, ${item.mode === 'shared' ? 'one stream.watch' : 'one chat.events each (baseline)'} | ${(item.heapBytesEach / 1024).toFixed(1)} KiB | ${(item.rssBytesEach / 1024).toFixed(1)} KiB |`,
    );
  }
  return lines.join('\n');
}

export async function runSharedConnectionBench(): Promise<{
  runs: SharedConnectionRun[];
  memory: SharedConnectionMemory[];
}> {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-bench-shared-'));
  try {
    const scenarios: Scenario[] = [
      { name: '50 tabs × 1 stream', plans: 1, watchers: 50 },
      { name: '1 tab × 50 streams', plans: 50, watchers: 50 },
    ];
    const runs: SharedConnectionRun[] = [];
    for (const scenario of scenarios) {
      for (const mode of ['per-tab', 'shared'] as const) {
        runs.push(await runStreaming(directory, scenario, mode));
      }
    }
    const memory: SharedConnectionMemory[] = [];
    for (const mode of ['per-tab', 'shared'] as const)
      memory.push(await runMemory(directory, mode, 100));
    console.log(formatReport(runs, memory));
    return { runs, memory };
  } finally {
    killAllWorkers();
    rmSync(directory, { recursive: true, force: true });
  }
}
