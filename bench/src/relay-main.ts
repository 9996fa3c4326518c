/**
 * The relay bench on its own:
 *   pnpm --filter @sluice/bench exec tsx src/relay-main.ts [--scenarios S1,S2,S3]
 *     [--systems raw,plans,chat] [--streams 100] [--pieces 300] [--no-profile]
 */
import { parseArgs } from 'node:util';
import {
  defaultScenarios,
  type RelayScenario,
  type RelaySystem,
  runRelayBench,
} from './relay/relay-bench';

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function isSystem(value: string): value is RelaySystem {
  return value === 'raw' || value === 'plans' || value === 'chat';
}

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string' },
    systems: { type: 'string' },
    streams: { type: 'string' },
    pieces: { type: 'string' },
    'no-profile': { type: 'boolean' },
    'quiet-wait': { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(`pnpm --filter @sluice/bench exec tsx src/relay-main.ts [options]
  --scenarios S1,S2,S3     load shapes, in run order (default all three):
${defaultScenarios.map((scenario) => `                           ${scenario.name}: ${scenario.streams} × ${scenario.tokensPerSecond ?? 'unpaced'} tok/s, ${scenario.pieces} pieces${scenario.repeats ? `, ${scenario.repeats} in turn` : ''}`).join('\n')}
  --systems raw,plans,chat systems under test, in run order (default all three; plans and chat are
                           Sluice's plan.create and chat.send paths)
  --streams 100            override every chosen scenario's concurrent streams
  --pieces 300             override every chosen scenario's upstream pieces per stream
  --no-profile             do not profile the systems under test (no CPU profile summary)
  --quiet-wait 10000       before each run, wait up to this long (ms) for the machine to go quiet`);
  process.exit(0);
}

const systems = list(values.systems);
if (systems && !systems.every(isSystem)) {
  throw new Error(`--systems takes raw, plans and/or chat, not "${values.systems}"`);
}
const names = list(values.scenarios);
const scenarios: RelayScenario[] = (names ?? defaultScenarios.map((scenario) => scenario.name)).map(
  (name) => {
    const scenario = defaultScenarios.find((known) => known.name === name.toUpperCase());
    if (!scenario) throw new Error(`--scenarios takes S1, S2 and/or S3, not "${name}"`);
    return {
      ...scenario,
      ...(values.streams === undefined ? {} : { streams: Number(values.streams) }),
      ...(values.pieces === undefined ? {} : { pieces: Number(values.pieces) }),
    };
  },
);

await runRelayBench({
  scenarios,
  systems: systems?.filter(isSystem),
  profile: !values['no-profile'],
  quietWaitMs: values['quiet-wait'] === undefined ? undefined : Number(values['quiet-wait']),
});
