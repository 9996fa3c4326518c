import { runParserBench } from './parser/parser-bench';
import { runRelayBench } from './relay/relay-bench';

// `pnpm bench`: the parser figures, then the relay figures, each against baselines
// measured in the same run. Prints tables; asserts nothing.
await runParserBench({ full: process.argv.includes('--full') });
await runRelayBench();
