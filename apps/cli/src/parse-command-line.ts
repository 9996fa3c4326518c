import { parseArgs } from 'node:util';
import type { AppRouter } from '@sluice/server';
import type { inferRouterInputs } from '@trpc/server';

export type CreatePlanRequest = inferRouterInputs<AppRouter>['plan']['create'];

export type Command =
  | { name: 'help' }
  | { name: 'plan'; serverUrl: string; json: boolean; request: CreatePlanRequest }
  | { name: 'watch'; serverUrl: string; json: boolean; planId: string }
  | { name: 'list'; serverUrl: string; json: boolean; limit: number | undefined }
  | { name: 'cancel'; serverUrl: string; planId: string };

export type ParseCommandLineResult =
  | { success: true; value: Command }
  | { success: false; error: string };

export const defaultServerUrl = 'http://127.0.0.1:3000';

export const usageText = `Sluice — stream a month-long plan from a language model into your terminal.

Usage:
  sluice plan "goals…" [--hours N] [--start YYYY-MM-DD] [--constraints "…"] [--model ID] [--json]
  sluice watch <planId> [--json]      follow a plan (running or finished), resuming where it is
  sluice list [--limit N] [--json]    the newest plans first
  sluice cancel <planId>              stop a plan that is generating
  sluice --help

Options:
  --hours N             hours a week you can spend
  --start YYYY-MM-DD    the day the plan starts
  --constraints "…"     anything the plan must respect
  --model ID            any OpenRouter model id (default: the server's)
  --limit N             how many plans to list (default 20, at most 100)
  --server URL          the Sluice server (default: $SLUICE_URL or ${defaultServerUrl})
  --json                print only JSON on stdout: the final plan (plan, watch) or the plans (list)

Ctrl-C while \`plan\` streams cancels the plan on the server; a second Ctrl-C quits at once.
Ctrl-C while \`watch\` streams stops watching and leaves the plan running.

Exit codes: 0 completed, 1 failed (or cancelled elsewhere) or an error, 2 usage error
(also input the server rejects), 3 partial plan, 130 interrupted by Ctrl-C.
`;

const optionSpecs = {
  hours: { type: 'string' },
  start: { type: 'string' },
  constraints: { type: 'string' },
  model: { type: 'string' },
  limit: { type: 'string' },
  server: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof optionSpecs;
type CommandName = Exclude<Command['name'], 'help'>;
type Values = ReturnType<typeof parseArguments>['values'];

const optionsByCommand: Record<CommandName, readonly OptionName[]> = {
  plan: ['hours', 'start', 'constraints', 'model', 'server', 'json'],
  watch: ['server', 'json'],
  list: ['limit', 'server', 'json'],
  cancel: ['server'],
};

function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(optionsByCommand, name);
}

function parseArguments(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: optionSpecs, allowPositionals: true, strict: true });
}

function failure(error: string): ParseCommandLineResult {
  return { success: false, error };
}

function parseNumber(option: OptionName, value: string | undefined): number | undefined | Error {
  if (value === undefined) return undefined;
  const number = Number(value);
  return value.trim() === '' || !Number.isFinite(number)
    ? new Error(`--${option} must be a number, not "${value}"`)
    : number;
}

function parseServerUrl(value: string): string | Error {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // Reported below.
  }
  return new Error(`--server must be an http(s) URL like ${defaultServerUrl}, not "${value}"`);
}

function parsePlanRequest(goals: string, values: Values): CreatePlanRequest | Error {
  const hoursPerWeek = parseNumber('hours', values.hours);
  if (hoursPerWeek instanceof Error) return hoursPerWeek;
  const preferences = {
    ...(hoursPerWeek === undefined ? {} : { hoursPerWeek }),
    ...(values.start === undefined ? {} : { startDate: values.start }),
    ...(values.constraints === undefined ? {} : { constraints: values.constraints }),
  };
  return {
    goals,
    ...(Object.keys(preferences).length > 0 ? { preferences } : {}),
    ...(values.model === undefined ? {} : { model: values.model }),
  };
}

function parseCommand(
  name: CommandName,
  operands: string[],
  values: Values,
  serverUrl: string,
): ParseCommandLineResult {
  const json = values.json ?? false;
  switch (name) {
    case 'plan': {
      if (operands.length === 0)
        return failure('`sluice plan` needs your goals, like: sluice plan "Run a 10k"');
      const request = parsePlanRequest(operands.join(' '), values);
      return request instanceof Error
        ? failure(request.message)
        : { success: true, value: { name, serverUrl, json, request } };
    }
    case 'watch':
    case 'cancel': {
      const [planId, ...extra] = operands;
      if (planId === undefined || extra.length > 0)
        return failure(`\`sluice ${name}\` needs exactly one plan id`);
      return {
        success: true,
        value: name === 'watch' ? { name, serverUrl, json, planId } : { name, serverUrl, planId },
      };
    }
    case 'list': {
      if (operands.length > 0) return failure('`sluice list` takes no arguments');
      const limit = parseNumber('limit', values.limit);
      return limit instanceof Error
        ? failure(limit.message)
        : { success: true, value: { name, serverUrl, json, limit } };
    }
  }
}

/** Reads `sluice <command> …` (argv without node and the script); `defaultUrl` comes from the environment. */
export function parseCommandLine(
  argv: readonly string[],
  defaultUrl = defaultServerUrl,
): ParseCommandLineResult {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [name, ...operands] = positionals;
  if (values.help || name === 'help') return { success: true, value: { name: 'help' } };
  if (!isCommandName(name)) {
    return failure(
      name === undefined
        ? 'Which command? plan, watch, list or cancel'
        : `Unknown command "${name}"`,
    );
  }
  const misplaced = (Object.keys(values) as OptionName[]).find(
    (option) => option !== 'help' && !optionsByCommand[name].includes(option),
  );
  if (misplaced) return failure(`--${misplaced} does not apply to \`sluice ${name}\``);
  const serverUrl = parseServerUrl(values.server ?? defaultUrl);
  if (serverUrl instanceof Error) return failure(serverUrl.message);
  return parseCommand(name, operands, values, serverUrl);
}
