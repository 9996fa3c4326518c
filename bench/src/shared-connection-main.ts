import { runSharedConnectionBench } from './shared-connection/shared-connection-bench';

// `pnpm --filter @sluice/bench exec tsx src/shared-connection-main.ts`: only this bench.
await runSharedConnectionBench();
