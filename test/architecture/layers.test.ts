/**
 * The layer rules (.dependency-cruiser.cjs, `npm run lint:deps`) hold on the tree, and catch an upward
 * import and a cycle when someone adds one: each case copies src/ and flows/ to a scratch folder, adds the
 * offending import, and runs dependency-cruiser there.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');

async function cruise(dir: string): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run(depcruise, ['src', 'flows', '--config', '.dependency-cruiser.cjs'], { cwd: dir });
    return { ok: true, output: r.stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('npm run lint:deps', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'jianyan-layers-'));
    for (const p of ['src', 'flows', '.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(path.join(root, p), path.join(scratch, p), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const append = (file: string, line: string) => {
    const p = path.join(scratch, file);
    const before = readFileSync(p, 'utf8');
    writeFileSync(p, `${line}\n${before}`);
    return () => writeFileSync(p, before);
  };

  test('passes on the tree as it is', async () => {
    const r = await cruise(root);
    expect(r.output).toContain('no dependency violations found');
    expect(r.ok).toBe(true);
  });

  test('fails when the record imports the handling lifecycle (an upward import)', async () => {
    const undo = append('src/suggestions/suggestion-service.ts', "import type { HandlingService } from '../handling/handling-service.js';");
    try {
      const r = await cruise(scratch);
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(/no-upward-from-the-record: src\/suggestions\/suggestion-service\.ts → src\/handling\/handling-service\.ts/);
    } finally {
      undo();
    }
  });

  test('fails when a domain module imports an adapter, or the engine imports Jianyan', async () => {
    const undoDomain = append('src/domain/messages.ts', "import '../channels/wecom/message-parser.js';");
    const undoEngine = append('src/embedded-mongo/engine.ts', "import '../infra/logger.js';");
    try {
      const r = await cruise(scratch);
      expect(r.ok).toBe(false);
      expect(r.output).toContain('src/domain/messages.ts → src/channels/wecom/message-parser.ts');
      expect(r.output).toMatch(/embedded-engine-is-a-library: src\/embedded-mongo\/engine\.ts → src\/infra\/logger\.ts/);
    } finally {
      undoDomain();
      undoEngine();
    }
  });

  test('fails on a cycle inside one layer', async () => {
    const undo = append('src/infra/clock.ts', "import './errors.js';");
    const undo2 = append('src/infra/errors.ts', "import './clock.js';");
    try {
      const r = await cruise(scratch);
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(/no-circular: src\/infra\/(clock|errors)\.ts/);
    } finally {
      undo();
      undo2();
    }
  });
});
