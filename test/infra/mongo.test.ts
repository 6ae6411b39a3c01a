import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/infra/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { connectMongo } from '../../src/infra/mongo.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'jy-mongo-'));
  dirs.push(d);
  return d;
};

/** Production refuses weak tokens (issue 17): a random one. */
const STRONG_TOKEN = 'k3Jq9xVb2Lm7Tz4Wc8Ry1Hs6Pn5Dg0Fa';

describe('the embedded engine under NODE_ENV=production', () => {
  test('is refused when the configuration says production, whatever the process environment says', async () => {
    const { env } = loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: STRONG_TOKEN, DATA_DIR: dataDir() });
    await expect(connectMongo(env, silentLogger)).rejects.toThrow(/embedded.*production.*MONGODB_URI/s);
  });

  test('starts when EMBEDDED_MONGO_ALLOW_PRODUCTION=1 is configured', async () => {
    const { env } = loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: STRONG_TOKEN, DATA_DIR: dataDir(), EMBEDDED_MONGO_ALLOW_PRODUCTION: '1' });
    const mongo = await connectMongo(env, silentLogger);
    expect(mongo.embedded).toBeDefined();
    await mongo.close();
  });
});
