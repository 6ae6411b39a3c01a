/**
 * Structured logging (pino). Phone numbers are masked wherever they appear in a logged string
 * (138****5678), and known personal fields are redacted, so logs can be shipped without personal data.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const phonePattern = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)|(?<!\d)(0\d{2,3})[\s-]?(\d{7,8})(?!\d)/g;

/** Masks every mobile or landline number in a string: 13812345678 → 138****5678. */
export function maskPhones(s: string): string {
  return s.replace(phonePattern, (_m, a?: string, _b?: string, c?: string, area?: string, local?: string) =>
    a ? `${a}****${c}` : `${area}-****${(local ?? '').slice(-2)}`,
  );
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhones(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPhones(value.message), stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'jianyan',
    level: opts.level ?? 'info',
    redact: { paths: ['*.phone', '*.*.phone', 'proposer.phone', 'authorization', '*.authorization'], censor: '[masked]' },
    formatters: {
      log: (obj) => maskDeep(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // Mask phone numbers in the message string too, not only in the merged object.
        const masked = args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as typeof args;
        return method.apply(this, masked);
      },
    },
  });
}

/** A logger that writes nothing (tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
