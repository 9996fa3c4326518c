import type { Page } from 'playwright-core';

export interface AccountDetails {
  name: string;
  email: string;
  password: string;
}

/** An account no other test uses. */
export function uniqueAccount(name: string): AccountDetails {
  const marker = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name,
    email: `${name.toLowerCase().replace(/\W+/g, '-')}-${marker}@example.com`,
    password: `password ${marker}`,
  };
}

/** The sign-in, sign-up and first-visit forms, by their labels. */
export function accountForm(page: Page) {
  return {
    name: page.getByRole('textbox', { name: 'Name', exact: true }),
    email: page.getByRole('textbox', { name: 'Email', exact: true }),
    password: page.getByLabel('Password', { exact: true }),
    error: page.getByRole('alert'),
    async fill(account: Partial<AccountDetails>) {
      if (account.name !== undefined) await this.name.fill(account.name);
      if (account.email !== undefined) await this.email.fill(account.email);
      if (account.password !== undefined) await this.password.fill(account.password);
    },
  };
}

/** The header's account menu. */
export function accountMenu(page: Page) {
  const menu = page.locator('details.account-menu');
  return {
    toggle: menu.locator('summary'),
    async open() {
      if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
    },
    async signOut() {
      await this.open();
      await menu.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/sign-in');
    },
  };
}

/** Signs up through `/sign-up`; resolves on the home page, signed in. */
export async function signUpThroughPage(page: Page, account: AccountDetails): Promise<void> {
  await page.goto('/sign-up');
  const form = accountForm(page);
  await form.fill(account);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await accountMenu(page).toggle.waitFor();
}

/** Signs in through `/sign-in`. */
export async function signInThroughPage(
  page: Page,
  account: Pick<AccountDetails, 'email' | 'password'>,
): Promise<void> {
  if (new URL(page.url()).pathname !== '/sign-in') await page.goto('/sign-in');
  const form = accountForm(page);
  await form.fill({ email: account.email, password: account.password });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
