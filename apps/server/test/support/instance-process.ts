import { createServerApp } from '../../src/app';
import { loadConfig } from '../../src/env';

// One server instance in a process of its own (a test can SIGKILL it): configured by its
// environment like `pnpm start`, it prints `listening <url>` once it serves.
const app = await createServerApp(loadConfig(process.env));
const url = await app.listen();
process.stdout.write(`listening ${url}\n`);
