/**
 * The fan-out bench on its own:
 *   pnpm --filter @sluice/bench exec tsx src/fanout-main.ts [--runs 100:lean,1000:trpc,10000:lean]
 *     [--idle 2000]
 */
import { parseArgs } from 'node:util';
import { runFanoutBench, type SsePath } from './fanout/fanout-bench';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, idle: { type: 'string' }, help: { type: 'boolean' } },
});

if (values.help) {
  console.log(`pnpm --filter @sluice/bench exec tsx src/fanout-main.ts [options]
  --runs 100:lean,1000:trpc,1000:lean,10000:lean   subscribers:path per run, in order (the default)
  --idle 2000                                      idle chat subscribers for the memory figure`);
  process.exit(0);
}

await runFanoutBench({
  runs: values.runs?.split(',').map((run) => {
    const [subscribers, path = 'lean'] = run.split(':');
    if (path !== 'lean' && path !== 'trpc')
      throw new Error(`--runs: "${path}" is not lean or trpc`);
    return { subscribers: Number(subscribers), path: path as SsePath };
  }),
  idleSubscribers: values.idle === undefined ? undefined : Number(values.idle),
});
