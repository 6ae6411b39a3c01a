import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Tests that need a real redis-server or Debian's Chromium. In CI both are installed by .ci/run and every
 * test runs (a missing one fails loudly). On a machine without them, `npm test` leaves those files out
 * and says so, instead of failing on a missing binary.
 */
function filesNeeding(marker: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts') && marker.test(readFileSync(p, 'utf8'))) out.push(p);
    }
  };
  walk('test');
  return out;
}

const missing: { what: string; install: string; marker: RegExp }[] = [];
if (!process.env.CI) {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    missing.push({ what: 'redis-server', install: 'apt-get install -y redis-server', marker: /startTestRedis|startRedisForWorkers|abuse-world/ });
  }
  if (!existsSync('/usr/bin/chromium')) {
    missing.push({ what: 'chromium', install: 'apt-get install -y chromium', marker: /playwright-core|launchChromium/ });
  }
}
const excluded = missing.flatMap((m) => filesNeeding(m.marker));
for (const m of missing) {
  console.warn(`\n[jianyan] ${m.what} is not installed: its tests are left out of this run (${m.install}; CI runs them all).\n`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...excluded],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
