// End-to-end test in a real browser: Debian's headless chromium, driven by
// playwright-core. Usage: node browser_test.mjs BASE_URL SCREENSHOT_DIR
// ADMIN_EMAIL ADMIN_PASSWORD. Exits 1 with a message on the first failure.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, shots, adminEmail, adminPassword] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function snap(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function submit(page) {
  await Promise.all([page.waitForNavigation(),
                     page.click('main button[type=submit]')]);
}

async function logIn(page, email, password) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await snap(page, 'login');
  await submit(page);
}

async function logOut(page) {
  await Promise.all([page.waitForNavigation(),
                     page.click('form.nav-logout button')]);
}

async function visitorJourney(page) {
  const email = `visitor-${Date.now()}@example.org`;
  const password = 'festival-summer-26';

  const home = await page.goto(`${base}/`);
  check(home.status() === 200, `home answered ${home.status()}`);
  check(await page.isVisible('text=Log in'), 'home has no Log in link');
  await snap(page, 'home');

  await page.click('a[href="/register"]');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.fill('#password_confirm', password);
  await snap(page, 'register');
  await submit(page);
  check(page.url().endsWith('/account'), `register led to ${page.url()}`);
  check((await page.textContent('main')).includes(email),
        'account page does not show the new email');
  await snap(page, 'account');

  const admin = await page.goto(`${base}/admin`);
  check(admin.status() === 403, `admin answered ${admin.status()} to a user`);
  await snap(page, 'admin-forbidden');

  await page.goto(`${base}/account`);
  await logOut(page);
  check(await page.isVisible('text=Log in'), 'still logged in after log out');
  const after = await page.goto(`${base}/account`);
  check(after.url().includes('/login?next='),
        `account after log out went to ${after.url()}`);
  await snap(page, 'logged-out');

  await logIn(page, email, password);
  check(page.url().endsWith('/account'), `login led to ${page.url()}`);
  await logOut(page);
}

async function adminJourney(page) {
  await logIn(page, adminEmail, adminPassword);
  const admin = await page.goto(`${base}/admin`);
  check(admin.status() === 200, `admin answered ${admin.status()} to admin`);
  check((await page.textContent('main')).includes(adminEmail),
        'admin page does not list the admin');
  await snap(page, 'admin');
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
try {
  const context = await browser.newContext();
  await visitorJourney(await context.newPage());
  await adminJourney(await (await browser.newContext()).newPage());
  console.log(`browser test passed; screenshots in ${shots}`);
} catch (error) {
  console.error(`browser test failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
