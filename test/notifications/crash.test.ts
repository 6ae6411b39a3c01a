import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { cardsTo, startWorld } from '../handling/handling-world.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let mongo: TestMongo;
let fake: FakeWeCom;
beforeAll(async () => {
  mongo = await startTestMongo();
  fake = await startFakeWeCom();
  fake.addRobot('robot-fgw');
});
afterAll(async () => {
  await fake.close();
  await mongo.close();
});

test('a worker process killed (SIGKILL) after assigning and before notifying: the cards still arrive, once', async () => {
  const dbName = 'crash1';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'assign-then-hang.ts')], {
    env: { ...process.env, TEST_MONGO_URL: `${mongo.uri.replace(/\/$/, '')}/${dbName}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reference = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ASSIGNED (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  const exited = new Promise((r) => child.once('exit', (_c, signal) => r(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const w = await startWorld({ mongoUri: mongo.uri, fake, dbName });
  try {
    expect((await w.doc(reference)).status).toBe('assigned');
    expect(await w.dispatcher('restarted').runOnce()).toMatchObject({ delivered: 2, dead: 0 });
    expect(await w.dispatcher('restarted').runOnce()).toMatchObject({ claimed: 0 });
    expect(cardsTo(fake, 'unit_li').map((c) => c.task_id)).toEqual([`${reference}-fgw-1`]);
    expect(cardsTo(fake, 'unit_zhao')).toHaveLength(1);
  } finally {
    await w.close();
  }
});
