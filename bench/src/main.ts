import { runFanoutBench } from './fanout/fanout-bench';
import { runInstancesBench } from './instances/instances-bench';
import { runParserBench } from './parser/parser-bench';
import { runRedisBusBench } from './redis/redis-bus-bench';
import { runRelayBench } from './relay/relay-bench';

// `pnpm bench`: the parser figures, the relay figures, then the fan-out figures, each
// against baselines measured in the same run. Prints tables; asserts nothing.
// `--fanout` runs only the fan-out bench; `--skip-fanout` leaves it out. `--redis` runs only
// the Redis benches (pub/sub against streams; two instances on PostgreSQL + Redis against one on SQLite).
if (process.argv.includes('--fanout')) {
  await runFanoutBench();
} else if (process.argv.includes('--redis')) {
  await runRedisBusBench();
  await runInstancesBench();
} else {
  await runParserBench({ full: process.argv.includes('--full') });
  await runRelayBench();
  if (!process.argv.includes('--skip-fanout')) await runFanoutBench();
  await runRedisBusBench();
  await runInstancesBench();
}
