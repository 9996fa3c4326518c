import { runProviderParserBench } from './provider-parser/provider-parser-bench';

await runProviderParserBench();
