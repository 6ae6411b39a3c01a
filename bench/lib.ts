/** Shared bits of the benchmarks: figures with their same-run baseline, percentiles, bounded concurrency, CPU time. */
import { readFileSync } from 'node:fs';

/** One measured figure; `baseline` is measured in the same run, and `ratio` = value / baseline.value. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  /** The target, in words, and whether this run met it. */
  target?: string;
  met?: boolean;
}

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const ratio = f.baseline && f.baseline.value ? Math.round((f.value / f.baseline.value) * 1000) / 1000 : undefined;
  return { ...f, ...(ratio !== undefined ? { ratio } : {}) };
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * p) - 1)] ?? 0;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs `n` tasks with at most `width` at a time. */
export async function pool<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere). Less
 * sensitive than throughput to other load on a shared machine, so before/after comparisons use it too.
 */
export function cpuMsOf(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
