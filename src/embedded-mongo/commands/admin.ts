/** Handshake and server-level commands. */
import { MongoCommandError } from '../errors.js';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from '../wire-protocol.js';
import type { Doc } from '../types-bridge.js';
import type { CommandContext, Handler } from './context.js';

export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21; // MongoDB 7.0

/**
 * The hello reply. No `topologyVersion`: with it the driver would switch to streaming (exhaust)
 * hello, which this engine does not implement; without it the monitor simply polls.
 */
export function helloReply(ctx: CommandContext, legacy: boolean): Doc {
  const r: Doc = { helloOk: true };
  if (legacy) r.ismaster = true;
  else r.isWritablePrimary = true;
  return {
    ...r,
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

const buildInfo: Handler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'jianyan-embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_SIZE,
  storageEngines: ['jianyan-embedded'],
  modules: [],
  javascriptEngine: 'none',
  ok: 1,
});

const PARAMETERS: Doc = {
  featureCompatibilityVersion: { version: '7.0' },
  authenticationMechanisms: [],
  cursorTimeoutMillis: 600_000,
};

const getParameter: Handler = (cmd) => {
  if (cmd.getParameter === '*' || (cmd.getParameter as Doc)?.allParameters) return { ...PARAMETERS, ok: 1 };
  const out: Doc = {};
  for (const k of Object.keys(cmd)) if (k !== 'getParameter' && k in PARAMETERS) out[k] = PARAMETERS[k];
  if (Object.keys(out).length === 0) throw new MongoCommandError(72, 'no option found to get');
  return { ...out, ok: 1 };
};

const serverStatus: Handler = (_cmd, ctx) => ({
  host: 'localhost',
  version: SERVER_VERSION,
  process: 'jianyan-embedded-mongo',
  pid: process.pid,
  uptime: Math.floor((Date.now() - ctx.startedAt) / 1000),
  uptimeMillis: Date.now() - ctx.startedAt,
  localTime: new Date(),
  connections: { current: ctx.stats.connections(), available: 10_000, totalCreated: ctx.stats.totalConnections() },
  opcounters: { ...ctx.stats.opcounters },
  metrics: { cursor: { open: { total: ctx.cursors.size } } },
  storageEngine: { name: 'jianyan-embedded' },
  ok: 1,
});

export const adminHandlers: Record<string, Handler> = {
  hello: (_c, ctx) => helloReply(ctx, false),
  isMaster: (_c, ctx) => helloReply(ctx, true),
  ismaster: (_c, ctx) => helloReply(ctx, true),
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  serverStatus,
  endSessions: () => ({ ok: 1 }),
  killAllSessions: () => ({ ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  whatsmyuri: (_c, ctx) => ({ you: `127.0.0.1:${ctx.connectionId}`, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  hostInfo: () => ({ system: { hostname: 'localhost', currentTime: new Date() }, os: { type: process.platform }, extra: {}, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['jianyan-embedded-mongo'], parsed: {}, ok: 1 }),
  getFreeMonitoringStatus: () => ({ state: 'disabled', ok: 1 }),
};
