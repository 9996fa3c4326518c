import {
  addQuotaSpend,
  findUser,
  findUserQuotas,
  listQuotaUsage,
  listUserQuotas,
  listUsers,
  type QuotaName,
  type QuotaReservation,
  QuotaUnavailableError,
  releaseQuotas,
  type SluiceDatabase,
  type UserQuotasRow,
  upsertUserQuotas,
} from '@sluice/db';
import type { QuotaDefaults } from '../env';
import { NotFoundError, QuotaExceededError } from '../errors';
import { periodResetsAt, quotaPeriod } from './quota-periods';

export const quotaNames = ['plans-per-month', 'replies-per-day', 'usd-per-month'] as const;

/** What a generation counts against: a plan (or continuation), or a chat reply. */
export type GenerationKind = 'plan' | 'reply';

/** One quota as `account.usage` shows it; `limit` null = unlimited; `used` in USD for spend. */
export interface QuotaUsageView {
  name: QuotaName;
  limit: number | null;
  used: number;
  resetsAt: string;
}

/** An admin override: a number, `'unlimited'`, or null (the env default). */
export type QuotaOverride = number | 'unlimited' | null;

export interface UserQuotasInput {
  userId: string;
  plansPerMonth?: QuotaOverride;
  repliesPerDay?: QuotaOverride;
  usdPerMonth?: QuotaOverride;
}

const columnOf = {
  'plans-per-month': 'plans_per_month',
  'replies-per-day': 'replies_per_day',
  'usd-per-month': 'usd_per_month',
} as const satisfies Record<QuotaName, keyof UserQuotasRow>;

const defaultOf = {
  'plans-per-month': 'plansPerMonth',
  'replies-per-day': 'repliesPerDay',
  'usd-per-month': 'usdPerMonth',
} as const satisfies Record<QuotaName, keyof QuotaDefaults>;

/** Stored override → what the API shows (-1 is how the table stores "unlimited"). */
function overrideOf(value: number | null | undefined): QuotaOverride {
  if (value === null || value === undefined) return null;
  return value === -1 ? 'unlimited' : value;
}

function storedOverride(value: QuotaOverride): number | null {
  return value === 'unlimited' ? -1 : value;
}

const monthFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  timeZone: 'UTC',
});

/** "You have used all 20 plans for this month; more on 1 December." */
export function describeQuotaRefusal(quota: QuotaName, limit: number, resetsAt: Date): string {
  const when = `more on ${monthFormat.format(resetsAt)}`;
  if (quota === 'usd-per-month') {
    return `You have spent your $${limit.toFixed(2)} of model use for this month; ${when}.`;
  }
  if (quota === 'replies-per-day') {
    return limit === 0
      ? 'Your account may not start chat replies (its daily limit is 0).'
      : `You have used all ${limit} chat replies for today; more at 00:00 UTC (${monthFormat.format(resetsAt)}).`;
  }
  return limit === 0
    ? 'Your account may not start plans (its monthly limit is 0).'
    : `You have used all ${limit} plans for this month; ${when}.`;
}

export interface QuotaServiceDependencies {
  db: SluiceDatabase;
  defaults: QuotaDefaults;
  now?: () => Date;
}

/**
 * Per-user quotas: plans per month, chat replies per day and spend per month, each from
 * the env default unless the admin set the user's own. A unit is taken by the repository
 * in the transaction that writes the plan or reply (see reserveQuotas), given back when the
 * upstream produced nothing, and the spend settled with the real cost.
 */
export function createQuotaService(dependencies: QuotaServiceDependencies) {
  const { db, defaults } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  function limitOf(quota: QuotaName, row: UserQuotasRow | undefined): number | null {
    const override = row?.[columnOf[quota]];
    if (override === -1) return null;
    if (override !== null && override !== undefined) return override;
    return defaults[defaultOf[quota]] ?? null;
  }

  async function usageOf(userId: string, row: UserQuotasRow | undefined) {
    const at = now();
    const periods = quotaNames.map((quota) => ({ quota, ...quotaPeriod(quota, at) }));
    const rows = await listQuotaUsage(db, userId, periods);
    return periods.map(({ quota, period, resetsAt }): QuotaUsageView => {
      const usage = rows.find((entry) => entry.quota === quota && entry.period === period);
      return {
        name: quota,
        limit: limitOf(quota, row),
        used: quota === 'usd-per-month' ? (usage?.spent_usd ?? 0) : (usage?.used ?? 0),
        resetsAt: resetsAt.toISOString(),
      };
    });
  }

  return {
    /** The units a new generation of this kind takes (its repository write takes them). */
    async reservationsFor(userId: string, kind: GenerationKind): Promise<QuotaReservation[]> {
      const row = await findUserQuotas(db, userId);
      const at = now();
      const counted: QuotaName = kind === 'plan' ? 'plans-per-month' : 'replies-per-day';
      return [
        {
          quota: counted,
          period: quotaPeriod(counted, at).period,
          limit: limitOf(counted, row),
          measure: 'count',
        },
        {
          quota: 'usd-per-month',
          period: quotaPeriod('usd-per-month', at).period,
          limit: limitOf('usd-per-month', row),
          measure: 'spend',
        },
      ];
    },

    /** The refusal a user sees, when `error` is a quota that ran out; otherwise undefined. */
    refusalFor(error: unknown): QuotaExceededError | undefined {
      if (!(error instanceof QuotaUnavailableError)) return undefined;
      const { quota, period, limit } = error.reservation;
      const resetsAt = periodResetsAt(period);
      return new QuotaExceededError(
        describeQuotaRefusal(quota, limit ?? 0, resetsAt),
        quota,
        resetsAt,
      );
    },

    /**
     * At the end of a generation: gives the units back when the upstream produced no token
     * (a failure before the first token is not the user's fault), else adds its real cost.
     */
    async settle(
      userId: string,
      reservations: readonly QuotaReservation[],
      outcome: { failedBeforeFirstToken: boolean; cost: number | null },
    ): Promise<void> {
      if (outcome.failedBeforeFirstToken) {
        await releaseQuotas(db, userId, reservations);
        return;
      }
      if (!outcome.cost || outcome.cost <= 0) return;
      for (const reservation of reservations) {
        if (reservation.measure !== 'spend') continue;
        await addQuotaSpend(db, {
          userId,
          quota: reservation.quota,
          period: reservation.period,
          usd: outcome.cost,
        });
      }
    },

    /**
     * What the user may still spend on models this month, USD, for the spend guard;
     * undefined when the monthly spend is unlimited.
     */
    async remainingSpend(userId: string): Promise<number | undefined> {
      const quotas = await usageOf(userId, await findUserQuotas(db, userId));
      const spend = quotas.find((quota) => quota.name === 'usd-per-month');
      if (!spend || spend.limit === null) return undefined;
      return Math.max(0, spend.limit - spend.used);
    },

    /**
     * A late change to a settled generation's cost (its bill replaced the estimate): the
     * difference goes to this month's spend.
     */
    async adjustSpend(userId: string, usd: number): Promise<void> {
      if (!Number.isFinite(usd) || usd === 0) return;
      await addQuotaSpend(db, {
        userId,
        quota: 'usd-per-month',
        period: quotaPeriod('usd-per-month', now()).period,
        usd,
      });
    },

    /** The caller's quotas in the current periods. */
    async usage(userId: string): Promise<{ quotas: QuotaUsageView[] }> {
      return { quotas: await usageOf(userId, await findUserQuotas(db, userId)) };
    },

    /** Every user with their quotas (the admin's view): `override` null = the env default. */
    async listUsers() {
      const [users, overrides] = await Promise.all([listUsers(db), listUserQuotas(db)]);
      return Promise.all(
        users.map(async (user) => {
          const row = overrides.find((entry) => entry.user_id === user.id);
          const quotas = await usageOf(user.id, row);
          return {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            createdAt: user.created_at,
            quotas: quotas.map((quota) => ({
              ...quota,
              override: overrideOf(row?.[columnOf[quota.name]]),
            })),
          };
        }),
      );
    },

    /** Sets a user's own limits; fields left out keep their value, null returns to the default. */
    async setUserQuotas(input: UserQuotasInput): Promise<{ quotas: QuotaUsageView[] }> {
      if (!(await findUser(db, input.userId))) {
        throw new NotFoundError(`No user with id ${input.userId}`);
      }
      const overrides: Partial<Record<(typeof columnOf)[QuotaName], number | null>> = {};
      if (input.plansPerMonth !== undefined)
        overrides.plans_per_month = storedOverride(input.plansPerMonth);
      if (input.repliesPerDay !== undefined)
        overrides.replies_per_day = storedOverride(input.repliesPerDay);
      if (input.usdPerMonth !== undefined)
        overrides.usd_per_month = storedOverride(input.usdPerMonth);
      await upsertUserQuotas(db, { userId: input.userId, overrides, now: now() });
      return { quotas: await usageOf(input.userId, await findUserQuotas(db, input.userId)) };
    },
  };
}

export type QuotaService = ReturnType<typeof createQuotaService>;
