/**
 * `npm run audit:verify`: recomputes the audit log's hash chain in the configured database (MONGODB_URI, or
 * the embedded engine's files under DATA_DIR — stop the service first, the engine allows one process) and
 * exits 0 when every entry is intact, 1 naming the first edited, removed or inserted entry, 2 on an error.
 * A running service answers the same at `GET /api/audit/verify` (office token).
 */
import { createAuditLog, createAuditModel } from '../src/admin/audit-log.js';
import { systemClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { createLogger } from '../src/infra/logger.js';
import { connectMongo } from '../src/infra/mongo.js';

async function main(): Promise<number> {
  const { env } = loadConfig();
  const mongo = await connectMongo(env, createLogger({ level: 'warn' }));
  try {
    const r = await createAuditLog({ model: createAuditModel(mongo.connection), clock: systemClock }).verify();
    if (r.ok) {
      console.log(`audit log intact: ${r.entries} entries, head ${r.headHash}`);
      return 0;
    }
    console.error(`audit log TAMPERED: ${r.message} (${r.entries} entries before it are intact)`);
    return 1;
  } finally {
    await mongo.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`audit:verify failed: ${err.message}`);
    process.exit(2);
  },
);
