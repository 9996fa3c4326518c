/**
 * The fan-out bench on its own:
 *   pnpm --filter @sluice/bench exec tsx src/fanout-main.ts [--subscribers 100,10000] [--idle 5000]
 */
import { parseArgs } from 'node:util';
import { runFanoutBench } from './fanout/fanout-bench';

const { values } = parseArgs({
  options: { subscribers: { type: 'string' }, idle: { type: 'string' } },
});

await runFanoutBench({
  subscribers: values.subscribers?.split(',').map(Number),
  idleSubscribers: values.idle === undefined ? undefined : Number(values.idle),
});
