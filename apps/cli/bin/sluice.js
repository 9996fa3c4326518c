#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, resolved from this package, so the
// command works from any directory (also when linked globally).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
