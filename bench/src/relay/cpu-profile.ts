import { Session } from 'node:inspector/promises';

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/**
 * Profiles the process it runs in for a window (the load, not boot or warm-up), through
 * the inspector's Profiler domain: the same sampling profiler as `node --cpu-prof`.
 */
export function createCpuProfiler(intervalMicros = 1000) {
  let session: Session | undefined;
  return {
    async start(): Promise<void> {
      if (session) return;
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
      await session.post('Profiler.start');
    },
    async stop(): Promise<CpuProfile | undefined> {
      if (!session) return undefined;
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      await session.post('Profiler.disable');
      session.disconnect();
      session = undefined;
      return profile;
    },
  };
}

export interface ProfileEntry {
  name: string;
  /** Self time, ms. */
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time that is not idle, ms. */
  busyMs: number;
  modules: ProfileEntry[];
  functions: ProfileEntry[];
}

const idleFrames = new Set(['(idle)', '(program)']);

/**
 * Where a frame's code lives: an npm package (`@trpc/server`, `kysely`), a workspace
 * module (`server: generation/stream-log.ts`), a Node built-in (`node:internal/streams`),
 * or V8 itself (`(garbage collector)`).
 */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const lastPackage = url.lastIndexOf('/node_modules/');
  if (lastPackage >= 0) {
    const parts = url.slice(lastPackage + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const workspace = /\/(apps|packages)\/([^/]+)\/src\/(.*)$/.exec(url);
  if (workspace) return `${workspace[2]}: ${workspace[3]}`;
  const bench = /\/bench\/src\/(.*)$/.exec(url);
  if (bench) return `bench: ${bench[1]}`;
  if (url.startsWith('node:')) {
    const internal = /^node:internal\/([^/]+(?:\/[^/]+)?)/.exec(url);
    return internal ? `node:internal/${internal[1]?.replace(/\.js$/, '')}` : url;
  }
  return url;
}

function shortFile(url: string): string {
  const workspace = /\/(?:apps|packages)\/[^/]+\/src\/(.*)$/.exec(url);
  if (workspace) return workspace[1] ?? url;
  const lastPackage = url.lastIndexOf('/node_modules/');
  if (lastPackage >= 0) {
    const rest = url.slice(lastPackage + '/node_modules/'.length).split('/');
    const skip = rest[0]?.startsWith('@') ? 2 : 1;
    return rest.slice(skip).join('/');
  }
  return url.replace(/^node:/, '');
}

function top(totals: Map<string, number>, busyMs: number, count: number): ProfileEntry[] {
  return [...totals]
    .sort((left, right) => right[1] - left[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs > 0 ? selfMs / busyMs : 0 }));
}

/** Self time by module and by function, idle excluded. */
export function summarizeCpuProfile(profile: CpuProfile, count = 12): ProfileSummary {
  const selfByNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; attribute the interval to the sample after it.
  for (let index = 0; index < samples.length; index++) {
    const node = samples[index] as number;
    const delta = (deltas[index + 1] ?? deltas[index] ?? 0) / 1000;
    selfByNode.set(node, (selfByNode.get(node) ?? 0) + delta);
  }
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  let busyMs = 0;
  for (const node of profile.nodes) {
    const selfMs = selfByNode.get(node.id) ?? 0;
    if (selfMs === 0) continue;
    totalMs += selfMs;
    const { functionName, url, lineNumber } = node.callFrame;
    if (idleFrames.has(functionName)) continue;
    busyMs += selfMs;
    const module = moduleOf(url, functionName);
    modules.set(module, (modules.get(module) ?? 0) + selfMs);
    const name =
      url === ''
        ? functionName || '(anonymous)'
        : `${functionName || '(anonymous)'} ${shortFile(url)}:${lineNumber + 1} [${module}]`;
    functions.set(name, (functions.get(name) ?? 0) + selfMs);
  }
  return {
    totalMs,
    busyMs,
    modules: top(modules, busyMs, count),
    functions: top(functions, busyMs, count),
  };
}

export function formatProfileSummary(title: string, summary: ProfileSummary): string[] {
  const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `${title}: ${summary.busyMs.toFixed(0)} ms busy (self time, idle excluded)`,
    '  by module / package:',
  ];
  for (const entry of summary.modules) {
    lines.push(
      `    ${percent(entry.share)}  ${entry.selfMs.toFixed(0).padStart(6)} ms  ${entry.name}`,
    );
  }
  lines.push('  top functions:');
  for (const entry of summary.functions) {
    lines.push(
      `    ${percent(entry.share)}  ${entry.selfMs.toFixed(0).padStart(6)} ms  ${entry.name}`,
    );
  }
  return lines;
}
