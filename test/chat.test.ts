import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';

/** Runs `npm run chat`'s script with a scripted conversation on stdin and returns what it printed. */
function chatSession(lines: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/chat.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

test('the terminal chat talks to the same engine: greeting, theme menu, and a refusal with its referral', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jy-chat-'));
  try {
    const out = await chatSession(['我想提建议', '2', '取消', '确认', '我家房子被强拆了，要求赔偿'], {
      DATA_DIR: dataDir,
      JIANYAN_NOW: '2021-07-01T10:00:00+08:00',
      LOG_LEVEL: 'silent',
    });
    expect(out).toContain('请选择建议的主题');
    expect(out).toMatch(/1\. 乡村振兴\s+2\. 成渝地区双城经济圈建设\s+3\. 日常建议/);
    expect(out).toContain('[title]');
    expect(out).toContain('[out_of_scope]');
    expect(out).toContain('信访');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
