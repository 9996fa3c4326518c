import { runActivityBench } from './activity/activity-bench';
import { runFanoutBench } from './fanout/fanout-bench';
import { runInstancesBench } from './instances/instances-bench';
import { runParserBench } from './parser/parser-bench';
import { runProviderParserBench } from './provider-parser/provider-parser-bench';
import { runRedisBusBench } from './redis/redis-bus-bench';
import { runRelayBench } from './relay/relay-bench';
import { runSharedConnectionBench } from './shared-connection/shared-connection-bench';
import { runTracingBench } from './tracing/tracing-bench';

// `pnpm bench`: the parser figures, the provider stream-parsing figures, the relay figures, then the fan-out figures, each
// against baselines measured in the same run. Prints tables; asserts nothing.
// `--fanout` runs only the fan-out bench; `--skip-fanout` leaves it out. `--activity` runs only
// the admin activity query on 100,000 rows, `--tracing` only the OpenTelemetry overhead (both
// also run after the relay figures), `--redis` only the Redis benches (pub/sub against streams;
// two instances on PostgreSQL + Redis against one on SQLite). The shared event connection bench
// comes last.
if (process.argv.includes('--fanout')) {
  await runFanoutBench();
} else if (process.argv.includes('--activity')) {
  await runActivityBench();
} else if (process.argv.includes('--tracing')) {
  await runTracingBench();
} else if (process.argv.includes('--redis')) {
  await runRedisBusBench();
  await runInstancesBench();
} else {
  await runParserBench({ full: process.argv.includes('--full') });
  await runProviderParserBench();
  await runRelayBench();
  await runActivityBench();
  await runTracingBench();
  if (!process.argv.includes('--skip-fanout')) await runFanoutBench();
  await runRedisBusBench();
  await runInstancesBench();
  await runSharedConnectionBench();
}
