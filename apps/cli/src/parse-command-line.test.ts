import { describe, expect, it } from 'vitest';
import { type Command, parseCommandLine } from './parse-command-line';

const server = 'http://127.0.0.1:3000';

describe('parseCommandLine', () => {
  it.each<[string[], Command]>([
    [['--help'], { name: 'help' }],
    [['plan', '-h'], { name: 'help' }],
    [['help'], { name: 'help' }],
    [
      ['plan', 'Run a 10k'],
      { name: 'plan', serverUrl: server, json: false, request: { goals: 'Run a 10k' } },
    ],
    [
      ['plan', 'Run', 'a 10k', '--hours', '5', '--start', '2026-12-01', '--constraints', 'No gym'],
      {
        name: 'plan',
        serverUrl: server,
        json: false,
        request: {
          goals: 'Run a 10k',
          preferences: { hoursPerWeek: 5, startDate: '2026-12-01', constraints: 'No gym' },
        },
      },
    ],
    [
      [
        'plan',
        'Read',
        '--model',
        'anthropic/claude-sonnet-4',
        '--json',
        '--server',
        'http://host:8080/',
      ],
      {
        name: 'plan',
        serverUrl: 'http://host:8080',
        json: true,
        request: { goals: 'Read', model: 'anthropic/claude-sonnet-4' },
      },
    ],
    [['watch', 'plan-1'], { name: 'watch', serverUrl: server, json: false, planId: 'plan-1' }],
    [['list', '--limit', '5', '--json'], { name: 'list', serverUrl: server, json: true, limit: 5 }],
    [['list'], { name: 'list', serverUrl: server, json: false, limit: undefined }],
    [['cancel', 'plan-1'], { name: 'cancel', serverUrl: server, planId: 'plan-1' }],
  ])('reads %j', (argv, expected) => {
    expect(parseCommandLine(argv, server)).toEqual({ success: true, value: expected });
  });

  it('takes the default server from its argument (main passes $SLUICE_URL)', () => {
    expect(parseCommandLine(['list'], 'https://sluice.example.com')).toMatchObject({
      success: true,
      value: { serverUrl: 'https://sluice.example.com' },
    });
  });

  it.each<[string[], string]>([
    [[], 'Which command? plan, watch, list or cancel'],
    [['frobnicate'], 'Unknown command "frobnicate"'],
    [['plan'], '`sluice plan` needs your goals, like: sluice plan "Run a 10k"'],
    [['plan', 'Run', '--hours', 'five'], '--hours must be a number, not "five"'],
    [['plan', 'Run', '--colour'], "Unknown option '--colour'"],
    [['watch'], '`sluice watch` needs exactly one plan id'],
    [['cancel', 'a', 'b'], '`sluice cancel` needs exactly one plan id'],
    [['list', 'extra'], '`sluice list` takes no arguments'],
    [['list', '--hours', '3'], '--hours does not apply to `sluice list`'],
    [['cancel', 'plan-1', '--json'], '--json does not apply to `sluice cancel`'],
    [['list', '--server', 'localhost:3000'], '--server must be an http(s) URL'],
  ])('rejects %j', (argv, message) => {
    const result = parseCommandLine(argv, server);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error).toContain(message);
  });
});
