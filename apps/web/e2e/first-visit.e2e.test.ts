import { describe, expect, it } from 'vitest';
import { accountForm, accountMenu, uniqueAccount } from './support/account-pages';
import { useBrowserEnvironment } from './support/use-browser-environment';

// A fresh server: no account exists until the first visit creates the admin.
const environment = useBrowserEnvironment({ signUpAdmin: false });

describe('the first visit', () => {
  it('asks for the admin account on any route, then signs the admin in on the home page', async () => {
    const page = await environment.openPage('first-visit', { signedIn: false });
    await page.goto('/plans/some-plan');
    const heading = page.getByRole('heading', { name: 'Create the admin account' });
    await heading.waitFor();
    // The form stands in for every route, sign-in included.
    await page.goto('/sign-in');
    await heading.waitFor();

    const form = accountForm(page);
    await page.getByRole('button', { name: 'Create the admin account' }).click();
    await page.locator('#field-error-email').waitFor();
    expect(await page.locator('#field-error-name').textContent()).toBe('Enter your name.');

    const admin = uniqueAccount('Grace');
    await form.fill(admin);
    await environment.screenshot(page, 'first-visit-form');
    await page.getByRole('button', { name: 'Create the admin account' }).click();

    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('heading', { name: 'Your plans' }).waitFor();
    const menu = accountMenu(page);
    await menu.open();
    expect(await page.locator('.account-menu-panel').textContent()).toContain(admin.email);
    // The first account is the admin: account.me says so, and the menu links its settings.
    await page.getByRole('link', { name: 'Admin settings' }).waitFor();
    const info = await page.request.get('/trpc/system.info');
    expect((await info.json()).result.data).toMatchObject({ needsSetup: false });
  });
});
