/**
 * MongoDB wire protocol framing: the 16-byte header, OP_MSG (kind 0 body, kind 1 document
 * sequences, checksumPresent and moreToCome flags) and the legacy OP_QUERY handshake answered
 * with OP_REPLY.
 */
import { BSON } from 'bson';
import { INTEGRAL_DOUBLES, integralDoublePaths } from './doubles.js';
import type { Doc } from './types-bridge.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MAX_BSON_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;

const FLAG_CHECKSUM = 1;
const FLAG_MORE_TO_COME = 2;
const FLAG_EXHAUST_ALLOWED = 1 << 16;

/** bson's defaults would turn int64 cursor ids into numbers; the getMore handler accepts both. */
// int64 arrives as bigint so it is stored, compared and returned as int64 (never narrowed to a JS number).
const DESERIALIZE = { promoteValues: true, promoteBuffers: false, bsonRegExp: false, useBigInt64: true } as const;

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), the OP_MSG checksum; Node 20's zlib has only plain CRC-32. */
export function crc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC32C_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export class ProtocolError extends Error {}

export interface Header {
  messageLength: number;
  requestID: number;
  responseTo: number;
  opCode: number;
}

export interface ParsedRequest {
  header: Header;
  kind: 'msg' | 'query';
  body: Doc;
  /** OP_MSG moreToCome: the client expects no reply. */
  moreToCome: boolean;
  /** OP_QUERY only: the namespace, e.g. `admin.$cmd`. */
  fullCollectionName?: string;
}

export function readHeader(buf: Buffer, off = 0): Header {
  return {
    messageLength: buf.readInt32LE(off),
    requestID: buf.readInt32LE(off + 4),
    responseTo: buf.readInt32LE(off + 8),
    opCode: buf.readInt32LE(off + 12),
  };
}

function cstring(buf: Buffer, off: number): [string, number] {
  const end = buf.indexOf(0, off);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return [buf.toString('utf8', off, end), end + 1];
}

function bsonAt(buf: Buffer, off: number, limit: number): [Doc, number] {
  if (off + 4 > limit) throw new ProtocolError('truncated BSON document');
  const len = buf.readInt32LE(off);
  if (len < 5 || off + len > limit) throw new ProtocolError('invalid BSON document length');
  if (len > MAX_BSON_SIZE + 16 * 1024) throw new ProtocolError('BSON document too large');
  const bytes = buf.subarray(off, off + len);
  const doc = BSON.deserialize(bytes, DESERIALIZE) as Doc;
  // Integral doubles decode as numbers; where they are, is kept for the handlers that store them.
  const doubles = integralDoublePaths(bytes);
  if (doubles.length > 0) Object.defineProperty(doc, INTEGRAL_DOUBLES, { value: doubles, enumerable: true });
  return [doc, off + len];
}

/** Parses one complete message (the buffer holds exactly `messageLength` bytes). */
export function parseMessage(msg: Buffer): ParsedRequest {
  const header = readHeader(msg);
  if (header.opCode === OP_MSG) {
    const flags = msg.readUInt32LE(16);
    // Unknown required flag bits (0-15) must make the server reject the message.
    if (flags & 0xfffc) throw new ProtocolError(`unsupported OP_MSG flag bits ${flags.toString(16)}`);
    let end = msg.length;
    if (flags & FLAG_CHECKSUM) {
      end -= 4;
      const expected = msg.readUInt32LE(end);
      if (crc32c(msg.subarray(0, end)) !== expected) {
        throw new ProtocolError('OP_MSG checksum mismatch');
      }
    }
    let off = 20;
    let body: Doc | undefined;
    const sequences: Array<[string, Doc[]]> = [];
    while (off < end) {
      const kind = msg.readUInt8(off++);
      if (kind === 0) {
        if (body) throw new ProtocolError('OP_MSG with more than one body section');
        [body, off] = bsonAt(msg, off, end);
      } else if (kind === 1) {
        const size = msg.readInt32LE(off);
        const secEnd = off + size;
        if (size < 5 || secEnd > end) throw new ProtocolError('invalid document sequence size');
        let p = off + 4;
        let id: string;
        [id, p] = cstring(msg, p);
        const docs: Doc[] = [];
        while (p < secEnd) {
          let d: Doc;
          [d, p] = bsonAt(msg, p, secEnd);
          docs.push(d);
        }
        sequences.push([id, docs]);
        off = secEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without a body section');
    for (const [id, docs] of sequences) {
      if (id in body) throw new ProtocolError(`duplicate field ${id} in body and document sequence`);
      body[id] = docs;
    }
    return { header, kind: 'msg', body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
  }
  if (header.opCode === OP_QUERY) {
    let off = 20; // flags at 16
    let ns: string;
    [ns, off] = cstring(msg, off);
    off += 8; // numberToSkip, numberToReturn
    const [query] = bsonAt(msg, off, msg.length);
    // Drivers wrap commands as {$query: cmd, $readPreference: ...} in legacy form.
    const body = (query.$query && typeof query.$query === 'object' ? (query.$query as Doc) : query) as Doc;
    return { header, kind: 'query', body, moreToCome: false, fullCollectionName: ns };
  }
  throw new ProtocolError(`unsupported opCode ${header.opCode}`);
}

let nextRequestId = 1;

/** A reply buffer of `bodyOffset + body` bytes with its 16-byte message header written. */
function replyBuffer(responseTo: number, opCode: number, bodyOffset: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bodyOffset + body.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
  out.set(body, bodyOffset);
  return out;
}

export function encodeMsgReply(responseTo: number, doc: Doc): Buffer {
  const out = replyBuffer(responseTo, OP_MSG, 21, BSON.serialize(doc));
  out.writeUInt32LE(0, 16);
  out.writeUInt8(0, 20);
  return out;
}

export function encodeOpReply(responseTo: number, doc: Doc): Buffer {
  const out = replyBuffer(responseTo, OP_REPLY, 36, BSON.serialize(doc));
  out.writeInt32LE(8, 16); // AwaitCapable
  out.writeBigInt64LE(0n, 20);
  out.writeInt32LE(0, 28);
  out.writeInt32LE(1, 32);
  return out;
}

export { FLAG_EXHAUST_ALLOWED };
