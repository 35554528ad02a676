/**
 * Debian's Chromium for the browser tests (`npm run test:browser`), driven by
 * playwright-core. These tests are kept out of `npm test` because Chromium is not among
 * what the README asks a user to install.
 */
import { existsSync } from 'node:fs';

import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking, component-update and sync switches Chromium dials out
// at start, which a closed network refuses (and logs); QUIC and the GPU are off for the same
// quiet, reproducible start.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Headless Chromium with a fresh profile (playwright's launch makes a temporary one per browser and removes it on close). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install -y --no-install-recommends chromium; .ci/run installs it)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
}
