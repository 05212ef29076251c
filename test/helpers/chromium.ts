/**
 * Headless Chromium for tests of the HTML reports: Debian's `/usr/bin/chromium` (or $REPRO_CHROMIUM),
 * driven by playwright-core, with the flags that work on a machine without network (no background
 * networking, updates or sync; `--no-sandbox` because tests run as root) and a fresh profile folder.
 * `npm install` installs chromium where it can (scripts/setup.mjs); a missing one fails with how to get it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.REPRO_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser on a fresh, empty profile folder (`--user-data-dir`); `close()` removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`expected Chromium at '${CHROMIUM}', received no such file: run \`npm install\` as root (it installs Debian's chromium), or \`apt-get install -y chromium\`, or set REPRO_CHROMIUM`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'repro-chromium-'));
  // NOTE: playwright passes the profile as --user-data-dir itself; it refuses the flag in `args`.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 } });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
