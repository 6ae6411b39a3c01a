/**
 * Real worker processes for fault tests: `node --import tsx src/main.ts` with the env a deployment sets,
 * and the standalone embedded MongoDB-compatible engine (`src/embedded-mongo/cli.ts`) as its own process,
 * so a test can SIGKILL, pause (SIGSTOP) and restart either one. Everything listens on 127.0.0.1 only.
 *
 * @example
 *   const mongo = await startMongoProcess({ dbPath });
 *   const w = await startWorker({ env: { MONGODB_URI: mongo.uri + 'jianyan', REDIS_URL: redis.url } });
 *   const r = await w.chat('citizen-1', '我想提建议');
 *   await w.kill();            // SIGKILL: no shutdown hooks run
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChatAnswer {
  status: number;
  replies: { text: string; options: { id: string; label: string }[] }[];
  state: string;
  reference?: string;
}

interface Proc {
  proc: ChildProcess;
  /** Everything the process wrote (stdout + stderr), for diagnosing a failed start. */
  output: string[];
}

function launch(args: string[], env: Record<string, string>, nodeArgs: readonly string[] = []): Proc {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { proc, output };
}

async function waitFor(check: () => Promise<boolean>, p: Proc, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (p.proc.exitCode !== null || p.proc.signalCode !== null) throw new Error(`${what} exited: ${p.output.join('').slice(-2000)}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready: ${p.output.join('').slice(-2000)}`);
}

async function stopProc(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

export interface MongoProcess {
  /** `mongodb://127.0.0.1:PORT/`; append a database name. */
  uri: string;
  port: number;
  /** SIGKILL (as a crash). */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The embedded engine as its own process with its files under `dbPath`. */
export async function startMongoProcess(opts: { dbPath: string; port?: number }): Promise<MongoProcess> {
  const port = opts.port ?? (await freePort());
  let p: Proc;
  const start = async () => {
    p = launch(['src/embedded-mongo/cli.ts', '--port', String(port), '--dbpath', opts.dbPath], {});
    await waitFor(async () => p.output.join('').includes('listening'), p, 'embedded mongo');
  };
  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    kill: () => stopProc(p.proc, 'SIGKILL'),
    pause: () => void p.proc.kill('SIGSTOP'),
    resume: () => void p.proc.kill('SIGCONT'),
    restart: start,
    stop: async () => {
      p.proc.kill('SIGCONT');
      await stopProc(p.proc, 'SIGTERM');
    },
  };
}

export interface WorkerProcess {
  base: string;
  port: number;
  /** The worker's process id (e.g. to read its CPU time from /proc). */
  pid: number;
  adminToken: string;
  /** POST /dev/chat; `messageId` makes a resend carry the same id. */
  chat(user: string, text: string, opts?: { messageId?: string; timeoutMs?: number }): Promise<ChatAnswer>;
  /** GET under /api with the admin token. */
  api<T = unknown>(pathAndQuery: string): Promise<{ status: number; body: T }>;
  /** SIGKILL: no shutdown hook runs, in-flight requests die. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

/** Campaign time used by worker processes (inside the 2021 campaign). */
export const WORKER_NOW = '2021-07-01T10:00:00+08:00';

/** Starts `src/main.ts` as a real process and waits for GET /healthz. */
export async function startWorker(opts: { env: Record<string, string>; port?: number; /** e.g. ['--cpu-prof'] for profiling */ nodeArgs?: readonly string[] }): Promise<WorkerProcess> {
  const port = opts.port ?? (await freePort());
  const adminToken = opts.env.ADMIN_TOKEN ?? 'fault-admin-token';
  const p = launch(['src/main.ts'], {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: adminToken,
    JIANYAN_NOW: WORKER_NOW,
    ...opts.env,
  }, opts.nodeArgs);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).status === 200, p, 'worker');
  return {
    base,
    port,
    pid: p.proc.pid ?? 0,
    adminToken,
    async chat(user, text, o = {}) {
      const res = await fetch(`${base}/dev/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user, text, ...(o.messageId ? { messageId: o.messageId } : {}) }),
        signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
      });
      const body = (await res.json().catch(() => ({}))) as Partial<ChatAnswer>;
      return { status: res.status, replies: body.replies ?? [], state: body.state ?? '', ...(body.reference ? { reference: body.reference } : {}) };
    },
    async api(pathAndQuery) {
      const res = await fetch(`${base}/api${pathAndQuery}`, { headers: { authorization: `Bearer ${adminToken}` } });
      return { status: res.status, body: await res.json() };
    },
    kill: () => stopProc(p.proc, 'SIGKILL'),
    stop: () => stopProc(p.proc, 'SIGTERM'),
    output: () => p.output.join(''),
  };
}
