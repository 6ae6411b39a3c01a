/**
 * TCP connections: frame incoming bytes into messages, run each connection's commands strictly in
 * order, and write the replies (none for OP_MSG moreToCome).
 */
import net from 'node:net';
import type { Engine } from './engine.js';
import { MongoCommandError } from './errors.js';
import {
  MAX_MESSAGE_SIZE,
  OP_MSG,
  OP_QUERY,
  ProtocolError,
  encodeMsgReply,
  encodeOpReply,
  parseMessage,
} from './wire-protocol.js';

export interface ServerLogger {
  warn(o: object, msg?: string): void;
}

export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;

  constructor(
    private readonly engine: Engine,
    private readonly logger?: ServerLogger,
  ) {
    this.server = net.createServer((s) => this.onConnection(s));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private onConnection(socket: net.Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    this.engine.connections++;
    this.engine.totalConnections++;
    socket.setNoDelay(true);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let chain: Promise<void> = Promise.resolve();
    let dead = false;

    const fail = (why: string): void => {
      if (dead) return;
      dead = true;
      this.logger?.warn({ connectionId, why }, 'embedded-mongo: closing connection after a protocol error');
      socket.destroy();
    };

    socket.on('data', (chunk: Buffer) => {
      if (dead) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= 4) {
        if (pending[0]!.length < 4) pending = [Buffer.concat(pending, pendingBytes)];
        const len = pending[0]!.readInt32LE(0);
        if (len < 16 || len > MAX_MESSAGE_SIZE) return fail(`message length ${len} outside 16..${MAX_MESSAGE_SIZE}`);
        // Concatenate only once the whole message is here: large messages arrive in many chunks.
        if (pendingBytes < len) return;
        const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
        const msg = buf.subarray(0, len);
        const rest = buf.subarray(len);
        pending = rest.length ? [rest] : [];
        pendingBytes = rest.length;
        chain = chain.then(() => this.handle(socket, msg, connectionId)).catch((e: unknown) => fail(String(e)));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      dead = true;
      this.sockets.delete(socket);
      this.engine.connections--;
    });
  }

  private async handle(socket: net.Socket, msg: Buffer, connectionId: number): Promise<void> {
    if (socket.destroyed) return;
    let req;
    try {
      req = parseMessage(msg);
    } catch (e) {
      if (e instanceof ProtocolError || e instanceof RangeError) throw e;
      // A body that is not valid BSON: the protocol state is unknowable, close like mongod does.
      throw new ProtocolError((e as Error).message);
    }
    const { header } = req;
    if (req.kind === 'query') {
      const ns = req.fullCollectionName ?? '';
      const db = ns.endsWith('.$cmd') ? ns.slice(0, -5) : ns.split('.')[0] ?? 'admin';
      const name = Object.keys(req.body)[0]?.toLowerCase();
      // Only the handshake may use OP_QUERY on modern servers.
      const reply =
        name === 'ismaster' || name === 'hello'
          ? await this.engine.run(req.body, db, connectionId)
          : new MongoCommandError(352, 'Unsupported OP_QUERY command: ' + String(name)).toReply();
      if (header.opCode === OP_QUERY) socket.write(encodeOpReply(header.requestID, reply));
      return;
    }
    const db = typeof req.body.$db === 'string' ? req.body.$db : 'admin';
    const reply = await this.engine.run(req.body, db, connectionId);
    if (!req.moreToCome && header.opCode === OP_MSG && !socket.destroyed) {
      let out: Buffer;
      try {
        out = encodeMsgReply(header.requestID, reply);
      } catch (e) {
        // e.g. a findAndModify whose document grew past the BSON limit: answer, don't drop the link.
        out = encodeMsgReply(header.requestID, new MongoCommandError(10334, `reply could not be encoded: ${(e as Error).message}`).toReply());
      }
      socket.write(out);
    }
  }
}
