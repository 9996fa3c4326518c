import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accountForm,
  accountMenu,
  signInThroughPage,
  signUpThroughPage,
  uniqueAccount,
} from './support/account-pages';
import { createPlanFromForm, uniqueGoals } from './support/new-plan-form';
import { webAppDirectory } from './support/paths';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment({ tokensPerSecond: 400 });

const cliDirectory = join(webAppDirectory, '..', 'cli');

/** Runs the CLI as a user would, with the key in SLUICE_API_KEY. */
function runCli(args: string[], apiKey: string) {
  const child = spawn(join(cliDirectory, 'node_modules', '.bin', 'tsx'), ['src/main.ts', ...args], {
    cwd: cliDirectory,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLUICE_URL: '', SLUICE_API_KEY: apiKey },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('accounts in the browser', () => {
  it("keeps a user's plan from a second user, who signs in where they were going", async () => {
    const page = await environment.openPage('accounts-two-users', { signedIn: false });
    const first = uniqueAccount('Ada');
    const second = uniqueAccount('Bob');

    // Signed out, the home page sends the visitor to sign-in.
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await signUpThroughPage(page, first);
    const goals = uniqueGoals('Learn to bake sourdough bread');
    const planId = await createPlanFromForm(page, { goals });
    await page.goto('/');
    const planLink = page.locator(`.plans-list a[href="/plans/${planId}"]`);
    await planLink.waitFor();

    await accountMenu(page).signOut();
    // The second user signs up elsewhere (through the API), then opens the first user's plan.
    const signUp = await page.request.post('/api/auth/sign-up/email', {
      data: second,
      headers: { origin: environment.server.url },
    });
    expect(signUp.status()).toBe(200);
    await page.context().clearCookies();
    await page.goto(`/plans/${planId}`);
    await page.waitForURL(
      (url) => url.pathname === '/sign-in' && url.searchParams.get('next') === `/plans/${planId}`,
    );
    await signInThroughPage(page, second);

    // Back where they were going: the plan does not exist for them.
    await page.waitForURL((url) => url.pathname === `/plans/${planId}`);
    await page.getByRole('heading', { name: 'No plan with this id' }).waitFor();
    await page.goto('/');
    await page.getByText('No plans yet.').waitFor();
    expect(await planLink.count()).toBe(0);
    await accountMenu(page).open();
    expect(await page.locator('.account-menu-panel').textContent()).toContain(second.email);
    // Not the admin: no admin link.
    expect(await page.getByRole('link', { name: 'Admin settings' }).count()).toBe(0);
  });

  it('creates an API key on the settings page that the CLI streams a plan with', async () => {
    const page = await environment.openPage('accounts-api-key-cli');
    await page.goto('/settings');
    await page.getByRole('textbox', { name: 'Key name' }).fill('Laptop CLI');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    await page.getByText('it will not be shown again').waitFor();
    const apiKey = (await shown.textContent()) ?? '';
    expect(apiKey.length).toBeGreaterThan(20);
    const row = page.getByRole('row', { name: /Laptop CLI/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Never');
    await environment.screenshot(page, 'accounts-api-key-created');

    const goals = uniqueGoals('Run a 10k in under 55 minutes');
    const result = await runCli(['plan', goals, '--server', environment.server.url], apiKey);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('Status: completed\n')).toBe(true);
    // The plan is the admin's (the key's owner), and the key now has a last use.
    const plans = await environment.server.app.plans.list(environment.server.adminUserId);
    expect(plans.items.some((plan) => plan.goals === goals)).toBe(true);
    await page.reload();
    await row.waitFor();
    expect(await row.textContent()).not.toContain('Never');
    // The key is shown once: after the reload only its start is on the page.
    expect(await page.getByTestId('new-api-key').count()).toBe(0);
    expect(await page.content()).not.toContain(apiKey);
  });

  it('says so when the password is wrong, and stays on the sign-in page', async () => {
    const page = await environment.openPage('accounts-wrong-password', { signedIn: false });
    await page.goto('/sign-in');
    const form = accountForm(page);
    await form.fill({ email: 'admin@example.com', password: 'not the password' });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await form.error.waitFor();
    expect(await form.error.textContent()).toMatch(/invalid email or password/i);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await accountMenu(page).toggle.count()).toBe(0);
  });
});
