import { describe, expect, it } from 'vitest';
import type { ConnectionMode } from '../lib/connection-fallback';
import { connectionText } from './connection-status';

describe('connectionText', () => {
  it.each<[ConnectionMode, boolean, boolean, string]>([
    ['live', true, true, 'Live'],
    ['live', true, false, 'Up to date'],
    ['reconnecting', false, false, 'Connecting…'],
    ['reconnecting', true, true, 'Reconnecting…'],
    ['polling', true, true, 'Live updates unavailable — refreshing every few seconds'],
    ['offline', false, true, "Can't reach the Sluice server. Retrying…"],
  ])('says %s (ever live: %s, streaming: %s) as "%s"', (mode, everLive, streaming, expected) => {
    expect(connectionText({ mode, everLive, streaming, idleLabel: 'Up to date' })).toBe(expected);
  });
});
