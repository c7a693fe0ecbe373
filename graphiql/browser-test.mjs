// Opens profilegraph's GraphiQL in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core), runs the prefilled query with the run button, and waits until
// the result pane shows the expected text. Every request that leaves the server's own
// origin is blocked and reported: the page must work without a CDN.
//
//   node graphiql/browser-test.mjs <page url> <expected text> <screenshot.png>
//
// Prints one JSON line {"ok":true,"result":"…","external":[]} and exits 0, or exits 1
// with the reason on stderr.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const [pageURL, expected, screenshot] = process.argv.slice(2);
if (!pageURL || !expected || !screenshot) {
  throw new Error('usage: node browser-test.mjs <page url> <expected text> <screenshot.png>');
}
const origin = new URL(pageURL).origin;
const profile = await mkdtemp(join(tmpdir(), 'graphiql-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const external = [];
const pageErrors = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u.startsWith('data:')) {
      return route.continue();
    }
    external.push(u);
    return route.abort();
  });
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(pageURL, { waitUntil: 'load' });
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ state: 'visible', timeout: 30000 });
  await run.click();
  await page.waitForFunction(
    (want) => (document.querySelector('.result-window')?.textContent ?? '').includes(want),
    expected,
    { timeout: 30000 },
  );
  const result = await page.locator('.result-window').textContent();
  await page.screenshot({ path: screenshot });
  process.stdout.write(JSON.stringify({ ok: true, result, external, pageErrors }) + '\n');
} catch (err) {
  console.error(`browser test: ${err.message}\nexternal requests: ${JSON.stringify(external)}\npage errors: ${JSON.stringify(pageErrors)}`);
  process.exitCode = 1;
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
