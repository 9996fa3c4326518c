/**
 * The fan-out bench on its own:
 *   pnpm --filter @sluice/bench exec tsx src/fanout-main.ts [--runs 100:lean,1000:trpc,10000:lean]
 *     [--idle 2000]
 */
import { parseArgs } from 'node:util';
import { runFanoutBench, type SsePath } from './fanout/fanout-bench';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, idle: { type: 'string' } },
});

await runFanoutBench({
  runs: values.runs?.split(',').map((run) => {
    const [subscribers, path = 'lean'] = run.split(':');
    if (path !== 'lean' && path !== 'trpc')
      throw new Error(`--runs: "${path}" is not lean or trpc`);
    return { subscribers: Number(subscribers), path: path as SsePath };
  }),
  idleSubscribers: values.idle === undefined ? undefined : Number(values.idle),
});
