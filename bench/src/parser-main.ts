import { runParserBench } from './parser/parser-bench';

// `--full` also times partial-json on 200 kB, which takes minutes.
await runParserBench({ full: process.argv.includes('--full') });
