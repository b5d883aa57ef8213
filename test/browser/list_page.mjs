// list_page.mjs: the blog in a real browser. Debian's Chromium, driven by
// playwright-core (never a downloaded browser): load the list page, follow an
// author link, open the query panel and read its statement count, go back,
// open the list's panel and save a screenshot of the page with it.
// Usage: node list_page.mjs BASE_URL SCREENSHOT.png
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node list_page.mjs BASE_URL SCREENSHOT.png');
  process.exit(2);
}

function check(ok, what) {
  if (!ok) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

// A fresh profile every run; playwright passes it as --user-data-dir.
const profile = mkdtempSync(join(tmpdir(), 'folio-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1100, height: 1400 },
  timeout: 60000,
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(30000);

  const list = await page.goto(base + '/');
  check(list.status() === 200, 'the list page answers 200');
  check(await page.locator('main article').count() === 20, 'the list shows 20 articles');
  check(!(await page.locator('#folio-panel').evaluate(d => d.open)), 'the panel starts collapsed');

  const author = page.locator('main article a.author').first();
  const username = await author.textContent();
  await Promise.all([page.waitForURL('**/authors/**'), author.click()]);
  check((await page.locator('main h2').first().textContent()) === username, `the author link leads to ${username}'s page`);
  await page.locator('#folio-panel summary').click();
  check(await page.locator('#folio-panel table.statements').isVisible(), 'the panel opens on a click');
  const authorCount = Number(await page.locator('#folio-panel-count').textContent());
  check(authorCount === 3, `the author page ran ${authorCount} statements (expected 3)`);
  check(await page.locator('#folio-panel tr.statement').count() === authorCount, 'the panel lists every statement');

  await page.goBack();
  await page.waitForURL(base + '/');
  await page.locator('#folio-panel summary').click();
  const listCount = Number(await page.locator('#folio-panel-count').textContent());
  check(listCount === 2, `the list page ran ${listCount} statements (expected 2)`);
  const summary = (await page.locator('#folio-panel summary').textContent()).replace(/\s+/g, ' ');
  check(/^Query panel: 2 statements, [0-9.]+ ms of SQL in [0-9.]+ ms, 0 similar groups, 0 duplicate groups, 0 findings$/.test(summary),
        `the panel's summary reads right: "${summary}"`);
  // The tags statement covers the 20 articles shown, not the look-ahead row.
  const tagArgs = await page.locator('#folio-panel tr.statement').nth(1).locator('td').nth(4).textContent();
  check(tagArgs.split(',').length === 20, `the tags are fetched for the 20 articles shown (${tagArgs.split(',').length} ids)`);

  await page.goto(base + '/?variant=naive');
  await page.locator('#folio-panel summary').click();
  const naiveCount = Number(await page.locator('#folio-panel-count').textContent());
  check(naiveCount === 41, `the naive list page ran ${naiveCount} statements (expected 41)`);
  check(await page.locator('#folio-panel .finding').count() > 0, 'the doctor names the N+1 in the panel');
  const findings = await page.locator('#folio-panel .finding').allTextContents();
  check(findings.some(f => f.includes('20 objects')), 'the N+1 finding counts the 20 lazy loads');

  await page.goto(base + '/');
  await page.locator('#folio-panel summary').click();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('screenshot: ' + screenshot);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
