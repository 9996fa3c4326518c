/**
 * The relay bench on its own:
 *   pnpm --filter @sluice/bench exec tsx src/relay-main.ts [--streams 1,100,1000]
 *     [--systems raw,sluice] [--pieces 300] [--cpu-prof <dir>]
 */
import { parseArgs } from 'node:util';
import { type RelaySystem, runRelayBench } from './relay/relay-bench';

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function isSystem(value: string): value is RelaySystem {
  return value === 'raw' || value === 'sluice';
}

const { values } = parseArgs({
  options: {
    streams: { type: 'string' },
    systems: { type: 'string' },
    pieces: { type: 'string' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(`pnpm --filter @sluice/bench exec tsx src/relay-main.ts [options]
  --streams 1,100,1000   concurrent streams per scenario (default 1,100,1000)
  --systems raw,sluice   systems under test, in run order (default raw,sluice)
  --pieces 300           upstream pieces per stream, 20 per second (default 300, about 15 s)
  --cpu-prof <dir>       run each system under test with --cpu-prof, profiles in <dir>/<system>/`);
  process.exit(0);
}

const systems = list(values.systems);
if (systems && !systems.every(isSystem)) {
  throw new Error(`--systems takes raw and/or sluice, not "${values.systems}"`);
}

await runRelayBench({
  scenarios: list(values.streams)?.map(Number),
  systems: systems?.filter(isSystem),
  piecesPerStream: values.pieces === undefined ? undefined : Number(values.pieces),
  cpuProfileDir: values['cpu-prof'],
});
