/**
 * Starts a real redis-server on a free loopback port for a test file. In CI (CI=true) a missing
 * redis-server is an error, never a silent skip; locally the Redis suites are skipped with a notice.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export const redisAvailable = spawnSync('redis-server', ['--version']).status === 0;
if (!redisAvailable && process.env.CI) {
  throw new Error('redis-server is not installed, but CI must run the Redis tests (apt-get install -y redis-server)');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (as a crash would, with SIGKILL when `crash` is true). */
  stop(opts?: { crash?: boolean }): Promise<void>;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
  /** A fresh client; closed by stop(). */
  client(): Redis;
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'jy-redis-'));
  let proc: ChildProcess | undefined;
  const clients: Redis[] = [];

  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused connections are expected while the server starts
    for (let i = 0; i < 200; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    probe.disconnect();
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stopProc = async (crash = false) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(crash ? 'SIGKILL' : 'SIGTERM');
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      c.on('error', () => {}); // tests that stop Redis on purpose observe failures through commands
      clients.push(c);
      return c;
    },
    async stop(opts) {
      if (!opts?.crash) {
        for (const c of clients.splice(0)) c.disconnect();
        await stopProc(false);
        rmSync(dir, { recursive: true, force: true });
      } else {
        await stopProc(true);
      }
    },
    restart: start,
  };
}
