/**
 * Standalone entry point: `npm run mongo:embedded -- --port 27017 --dbpath ./data/mongo`.
 * Without --dbpath the data lives only in memory.
 */
import { startEmbeddedMongo } from './index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const log = (level: string) => (o: object, msg?: string) => console.log(JSON.stringify({ level, msg, ...o }));
const logger = { info: log('info'), warn: log('warn'), error: log('error') };

const mongo = await startEmbeddedMongo({
  port: Number(arg('port') ?? 27017),
  host: arg('bind_ip') ?? arg('host') ?? '127.0.0.1',
  dbPath: arg('dbpath'),
  logger,
});
console.log(`embedded-mongo listening at ${mongo.uri}`);
const stop = (): void => {
  void mongo.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
