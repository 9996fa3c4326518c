import { countUsers, readSettings, type SluiceDatabase, writeSettings } from '@sluice/db';

const allowSignUpKey = 'accounts.allow_sign_up';

export interface AccountSettings {
  /** Whether people other than the first (the admin) may create an account. */
  allowSignUp: boolean;
}

/** App-wide account settings (admin-only to change), over the `settings` table. */
export function createAccountSettings(options: {
  db: SluiceDatabase;
  /** ALLOW_SIGN_UP: the value until an admin sets one. */
  defaults: AccountSettings;
  now?: () => Date;
}) {
  const { db, defaults } = options;
  const now = options.now ?? (() => new Date());

  async function get(): Promise<AccountSettings> {
    const values = await readSettings(db, [allowSignUpKey]);
    const stored = values.get(allowSignUpKey);
    return { allowSignUp: stored === undefined ? defaults.allowSignUp : stored === 'true' };
  }

  return {
    get,
    async update(input: Partial<AccountSettings>): Promise<AccountSettings> {
      if (input.allowSignUp !== undefined)
        await writeSettings(db, { [allowSignUpKey]: String(input.allowSignUp) }, now());
      return get();
    },
    /** True while no account exists: the first visit creates the admin. */
    async needsSetup(): Promise<boolean> {
      return (await countUsers(db)) === 0;
    },
    /** The first account may always be created; later ones only while sign-up is allowed. */
    async mayCreateAccount(): Promise<boolean> {
      return (await countUsers(db)) === 0 || (await get()).allowSignUp;
    },
  };
}

export type AccountSettingsService = ReturnType<typeof createAccountSettings>;
