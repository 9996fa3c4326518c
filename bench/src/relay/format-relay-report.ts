import { formatProfileSummary } from './cpu-profile';
import { percentile } from './measure-delivery';
import { type RelayBenchResult, type RelayRun, systemLabel } from './relay-bench';

interface Column {
  header: string;
  align: 'left' | 'right';
  value(run: RelayRun): string;
}

const megabyte = 1024 * 1024;

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function systemName(run: RelayRun): string {
  return systemLabel(run.system);
}

/** Tokens per second while streaming (first text → last text of each stream). */
export function streamingTokensPerSecond(run: RelayRun): number {
  return run.delivery.tokensDelivered / (run.streamingMs / 1000);
}

function netServerCpuMs(run: RelayRun): number {
  return run.server.cpuMs - (run.server.idleCpuMsPerSecond * run.wallMs) / 1000;
}

/** Server CPU per 1,000 delivered pieces, net of what the idle process uses anyway. */
export function cpuMsPerThousandTokens(run: RelayRun): number {
  return (netServerCpuMs(run) / run.delivery.tokensDelivered) * 1000;
}

/** The same per 1,000 pieces the upstream wrote for the run's streams (delivered or not). */
export function cpuMsPerThousandUpstreamTokens(run: RelayRun): number {
  return (netServerCpuMs(run) / run.delivery.tokensSent) * 1000;
}

function percentiles(sorted: Float64Array): string {
  return `${fixed(percentile(sorted, 0.5), 0)}/${fixed(percentile(sorted, 0.99), 0)}`;
}

const columns: Column[] = [
  { header: 'scenario', align: 'left', value: (run) => run.scenario.name },
  { header: 'system', align: 'left', value: systemName },
  { header: 'streams', align: 'right', value: (run) => String(run.streams) },
  { header: 'exact', align: 'right', value: (run) => `${run.delivery.exact}/${run.streams}` },
  { header: 'tokens', align: 'right', value: (run) => String(run.delivery.tokensDelivered) },
  {
    header: 'tok/s',
    align: 'right',
    value: (run) => fixed(run.delivery.tokensDelivered / (run.wallMs / 1000), 0),
  },
  {
    header: 'streaming tok/s',
    align: 'right',
    value: (run) => fixed(streamingTokensPerSecond(run), 0),
  },
  {
    header: 'lat p50',
    align: 'right',
    value: (run) => fixed(percentile(run.delivery.latencies, 0.5), 2),
  },
  {
    header: 'p99',
    align: 'right',
    value: (run) => fixed(percentile(run.delivery.latencies, 0.99), 2),
  },
  {
    header: 'max',
    align: 'right',
    value: (run) => fixed(percentile(run.delivery.latencies, 1), 1),
  },
  {
    header: '1st text p50/p99',
    align: 'right',
    value: (run) => percentiles(run.delivery.firstText),
  },
  {
    header: 'CPU ms/1k tok',
    align: 'right',
    value: (run) => fixed(cpuMsPerThousandTokens(run), 1),
  },
  {
    header: 'CPU cores',
    align: 'right',
    value: (run) => fixed(run.server.cpuMs / run.wallMs, 2),
  },
  {
    header: 'loop p99/max',
    align: 'right',
    value: (run) =>
      `${fixed(run.server.after.eventLoopDelayP99Ms, 0)}/${fixed(run.server.after.eventLoopDelayMaxMs, 0)}`,
  },
  {
    header: 'peak RSS MB',
    align: 'right',
    value: (run) =>
      `${fixed(run.server.after.peakRssBytes / megabyte, 0)} (${fixed(run.server.before.rssBytes / megabyte, 0)})`,
  },
  {
    header: 'peak heap MB',
    align: 'right',
    value: (run) =>
      `${fixed(run.server.after.peakHeapUsedBytes / megabyte, 0)} (${fixed(run.server.before.heapUsedBytes / megabyte, 0)})`,
  },
  {
    header: 'conns in/up',
    align: 'right',
    value: (run) => `${run.peakConnections.server}/${run.peakConnections.upstream}`,
  },
];

function renderTable(runs: readonly RelayRun[]): string[] {
  const cells = runs.map((run) => columns.map((column) => column.value(run)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === 'left' ? value.padEnd(width) : value.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [line(columns.map((column) => column.header)), rule, ...cells.map(line)];
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([status, count]) => `${status} ×${count}`)
    .join(', ');
}

function sameScenario(run: RelayRun, other: RelayRun): boolean {
  return run.scenario.name === other.scenario.name && run.streams === other.streams;
}

function ratio(value: number, base: number): string {
  return `${fixed(value / base, 2)}×`;
}

function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

/** The issue's table: each scenario's figure for the raw relay and both Sluice paths. */
function summaryTable(runs: readonly RelayRun[]): string[] {
  const systems = [...new Set(runs.map((run) => run.system))];
  const rows: string[][] = [];
  const headers = ['scenario', ...systems.map((system) => systemLabel(system)), 'target'];
  const find = (name: string, system: string) =>
    runs.find((run) => run.scenario.name === name && run.system === system);
  const withRaw = (
    name: string,
    value: (run: RelayRun) => number,
    format: (value: number, raw: number | undefined) => string,
  ) => {
    const raw = find(name, 'raw');
    return systems.map((system) => {
      const run = find(name, system);
      return run ? format(value(run), raw ? value(raw) : undefined) : '-';
    });
  };
  for (const name of [...new Set(runs.map((run) => run.scenario.name))]) {
    const example = runs.find((run) => run.scenario.name === name);
    if (!example) continue;
    const { scenario } = example;
    const shape =
      `${name}: ${scenario.streams.toLocaleString('en')} × ` +
      `${scenario.tokensPerSecond === undefined ? 'unpaced' : `${scenario.tokensPerSecond} tok/s`}` +
      `${scenario.repeats ? ` (${scenario.repeats} in turn)` : ''}`;
    if (scenario.tokensPerSecond === undefined) {
      rows.push([
        `${shape}, tok/s`,
        ...withRaw(name, streamingTokensPerSecond, (value, raw) =>
          raw === undefined || value === raw
            ? fixed(value, 0)
            : `${fixed(value, 0)} (${ratio(value, raw)})`,
        ),
        '≥ 0.5× raw',
      ]);
      continue;
    }
    rows.push([
      `${shape}, CPU µs/token`,
      ...withRaw(name, cpuMsPerThousandTokens, (value, raw) =>
        raw === undefined || value === raw
          ? fixed(value, 0)
          : `${fixed(value, 0)} (${ratio(value, raw)})`,
      ),
      '≤ 1.5× raw',
    ]);
    rows.push([
      `${shape}, first token p50`,
      ...withRaw(
        name,
        (run) => percentile(run.delivery.firstText, 0.5),
        (value, raw) =>
          raw === undefined || value === raw
            ? `${fixed(value, 0)} ms`
            : `${fixed(value, 0)} ms (${value >= raw ? '+' : '−'}${fixed(Math.abs(value - raw), 0)})`,
      ),
      'added ≤ 50 ms (at 100)',
    ]);
    rows.push([
      `${shape}, complete and exact`,
      ...systems.map((system) => {
        const run = find(name, system);
        return run ? `${fixed((run.delivery.exact / run.streams) * 100, 1)} %` : '-';
      }),
      '100 % (at 1,000)',
    ]);
  }
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, index) => value.padEnd(widths[index] ?? 0)).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ];
}

function comparisonLines(runs: readonly RelayRun[]): string[] {
  const lines: string[] = [];
  for (const sluice of runs.filter((run) => run.system !== 'raw')) {
    const raw = runs.find((run) => run.system === 'raw' && sameScenario(run, sluice));
    if (!raw) continue;
    const name = `${sluice.scenario.name} ${systemName(sluice)}`;
    if (sluice.scenario.tokensPerSecond === undefined) {
      const share = streamingTokensPerSecond(sluice) / streamingTokensPerSecond(raw);
      lines.push(
        `${name}: ${fixed(share, 2)}× the raw relay's tokens/s while streaming (target ≥ 0.5×: ${verdict(share >= 0.5)})`,
      );
      continue;
    }
    const cpuRatio = cpuMsPerThousandTokens(sluice) / cpuMsPerThousandTokens(raw);
    const upstreamRatio =
      cpuMsPerThousandUpstreamTokens(sluice) / cpuMsPerThousandUpstreamTokens(raw);
    const addedFirst =
      percentile(sluice.delivery.firstText, 0.5) - percentile(raw.delivery.firstText, 0.5);
    const p50 =
      percentile(sluice.delivery.latencies, 0.5) - percentile(raw.delivery.latencies, 0.5);
    const p99 =
      percentile(sluice.delivery.latencies, 0.99) - percentile(raw.delivery.latencies, 0.99);
    const exactAll = sluice.delivery.exact === sluice.streams;
    lines.push(
      `${name} (${sluice.streams} streams): CPU per token ${fixed(cpuRatio, 2)}× the raw relay's ` +
        `(target ≤ 1.5×: ${verdict(cpuRatio <= 1.5)}; per upstream piece ${fixed(upstreamRatio, 2)}×); ` +
        `first token p50 ${addedFirst >= 0 ? '+' : '−'}${fixed(Math.abs(addedFirst), 0)} ms${sluice.streams >= 100 && sluice.streams < 1000 ? ` (target ≤ 50 ms: ${verdict(addedFirst <= 50)})` : ''}; ` +
        `delivery latency p50 ${p50 >= 0 ? '+' : ''}${fixed(p50, 2)} ms, p99 ${p99 >= 0 ? '+' : ''}${fixed(p99, 2)} ms; ` +
        `${sluice.delivery.exact}/${sluice.streams} exact${sluice.streams >= 1000 ? ` (target all: ${verdict(exactAll)})` : ''}`,
    );
  }
  return lines;
}

function profileLines(runs: readonly RelayRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    if (!run.profile) continue;
    lines.push(
      ...formatProfileSummary(
        `${run.scenario.name} ${systemName(run)} × ${run.streams}`,
        run.profile,
      ),
      '',
    );
  }
  if (lines.length === 0) return [];
  return [
    "Where the CPU goes: each system under test profiled during its load window (V8's sampling profiler,",
    '1 ms interval, the same as `node --cpu-prof`; both systems alike). Self time grouped by npm package,',
    'workspace module (package: file) or Node internal; "(garbage collector)" is V8\'s own.',
    '',
    ...lines,
  ];
}

function thousandLine(runs: readonly RelayRun[]): string[] {
  const thousand = runs.filter((run) => run.streams >= 1000);
  return thousand.map((run) => {
    const all = run.delivery.exact === run.streams;
    return (
      `${run.scenario.name}: ${run.streams} × ${run.scenario.tokensPerSecond ?? 'unpaced'} tok/s through ${systemName(run)}: ` +
      `${all ? 'ALL' : 'NOT all'} completed exactly (${run.delivery.exact}/${run.streams}), ` +
      `${run.peakConnections.server} client connections open at once (kernel count), ` +
      `${run.delivery.reconnects} reconnects`
    );
  });
}

function detailLines(runs: readonly RelayRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    const name = `${run.scenario.name} ${systemName(run)} × ${run.streams}`;
    const parts = [
      `end events: ${describeCounts(run.endStatuses)}`,
      `accepted p50/p99 ${percentiles(run.delivery.accepted)} ms, stream open ${percentiles(run.delivery.opened)} ms`,
      `text intact (agrees with the upstream's as far as it goes) ${run.delivery.intact}/${run.streams}`,
      `upstream pieces written ${run.delivery.tokensSent}`,
      `clients process ${fixed(run.clientsCpuMs / run.wallMs, 2)} cores`,
      `simulator ${fixed(run.simulatorCpuMs / run.wallMs, 2)} cores`,
      `other processes ${fixed(run.otherCpuMs / run.wallMs, 2)} cores`,
      `server CPU ${fixed(run.server.cpuMs, 0)} ms over ${fixed(run.wallMs / 1000, 1)} s ` +
        `(idle ${fixed(run.server.idleCpuMsPerSecond, 1)} ms/s)`,
      `kernel max RSS ${fixed(run.server.after.lifetimeMaxRssBytes / megabyte, 0)} MB`,
    ];
    if (run.delivery.retried > 0) parts.push(`upstream retries ${run.delivery.retried}`);
    if (run.persisted) {
      parts.push(
        `saved content exact ${run.persisted.exact}/${run.persisted.checked} ended plans (${describeCounts(run.persisted.statuses)})`,
      );
    }
    lines.push(`${name}: ${parts.join('; ')}`);
    for (const problem of run.delivery.problems.slice(0, 3)) lines.push(`    ! ${problem}`);
    if (run.delivery.problems.length > 3) {
      lines.push(`    ! … and ${run.delivery.problems.length - 3} more`);
    }
  }
  return lines;
}

export function formatRelayReport(
  settings: RelayBenchResult['settings'],
  runs: readonly RelayRun[],
): string {
  const shapes = settings.scenarios
    .map(
      (scenario) =>
        `${scenario.name} ${scenario.streams} × ${scenario.tokensPerSecond === undefined ? 'unpaced' : `${scenario.tokensPerSecond} pieces/s`}, ` +
        `${scenario.pieces >= 10_000 ? 'whole plans' : `${scenario.pieces} pieces`}${scenario.repeats ? `, ${scenario.repeats} streams in turn` : ''}`,
    )
    .join('; ');
  return [
    '',
    'Relay bench: what Sluice adds between the upstream and a subscriber, against a raw node:http SSE relay',
    `scenarios: ${shapes}. Upstream: the simulator (own process, one per scenario), first piece after ` +
      `${settings.firstTokenDelayMs} ms; the model "@length-after-N" ends a stream with finish_reason "length", usage and [DONE]; ` +
      `keep-alive comments every ${settings.keepAliveIntervalMs} ms; a run is cut ${fixed(settings.graceMs / 1000, 0)} s after its last stream's scheduled end`,
    'processes: system under test | simulator | clients (the bench process), on 2 shared cores, loopback 127.0.0.1;',
    '  Sluice plans: plan.create, then plan.events until end; Sluice chat: chat.createSession, chat.events, then chat.send,',
    "  until the reply's end; real server, SQLite file, persistence on (FLUSH_INTERVAL_MS 250), @trpc/client httpSubscriptionLink;",
    '  raw relay: node:http + fetch + eventsource-parser, one SSE event per piece, no persistence; clients: fetch + eventsource-parser',
    '',
    ...summaryTable(runs),
    '',
    "tok/s (S1): tokens delivered ÷ the time spent streaming (each stream's first text → last text, summed).",
    "CPU µs/token: the server process's CPU in the load window, less its idle rate, per delivered token (start path included).",
    "first token: client's first request (plan.create / chat.createSession / relay GET) → first text; includes the",
    `  simulator's ${settings.firstTokenDelayMs} ms first-piece delay, so the raw relay's figure is the floor and "+n" is what Sluice adds.`,
    "complete and exact: the client got the end event and its text equals, character for character, the upstream's.",
    '',
    ...renderTable(runs),
    '',
    'exact: the client got the end event and its assembled text equals, character for character, what the simulator',
    '  wrote for that stream. tokens: upstream pieces whose text reached the client (within the correct prefix).',
    'lat p50/p99/max (ms): per upstream piece, the time the client first held text covering it minus the time the',
    "  simulator had written it to its socket (observed in the simulator process; both clocks are this machine's",
    '  wall clock at sub-ms resolution). It is end-to-end delivery latency: loopback, the system under test, and the',
    "  client process's own parsing and event-loop delay, which all share the same 2 cores.",
    "1st text: client start → first text, ms (includes the simulator's first-piece delay).",
    'CPU ms/1k tok: user+system CPU of the system-under-test process during the load window, less its idle rate',
    '  (timers and this probe, measured just before), per 1,000 delivered pieces (= µs per token); it includes accepting',
    '  connections, plan.create / chat.send and the database writes. CPU cores: gross CPU ÷ wall time.',
    'loop p99/max: event-loop delay of that process during the window, ms (perf_hooks, 20 ms resolution).',
    'peak RSS / heap: sampled every 200 ms in that process during the window (value before the load in brackets).',
    'conns in/up: most established TCP connections clients→server and server→simulator (from /proc/net/tcp).',
    '',
    ...comparisonLines(runs),
    ...thousandLine(runs),
    '',
    ...detailLines(runs),
    '',
    ...profileLines(runs),
  ].join('\n');
}
