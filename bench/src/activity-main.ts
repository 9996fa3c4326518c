import { runActivityBench } from './activity/activity-bench';

await runActivityBench();
