import { describe, expect, test } from 'vitest';
import { isAgentSender, looksLikeName, pastedRecord, proxyPaste, readRecord } from '../../src/agents/forwarded-record.js';

const lisi = { name: '李四', id: 'lisi' };

describe("telling the agent's lines from the citizen's", () => {
  test.each([
    ['李四', true],
    ['lisi', true],
    ['李四（区农业农村委）', true],
    ['区农业农村委-李四', true],
    ['区农业农村委李四', true],
    ['李四光', false],
    ['小李四号', false],
    ['王五', false],
    ['', false],
  ])('%s is the agent: %s', (sender, expected) => {
    expect(isAgentSender(sender, lisi)).toBe(expected);
  });

  test('a record keeps text lines, counts unreadable items, and lists the other senders as candidates', () => {
    const r = readRecord(
      {
        title: '聊天记录',
        items: [
          { sender: '李四', time: 1, text: '您说' },
          { sender: '王五', time: 2, text: '  建议修路\u200b ' },
          { sender: '王五', time: 3, text: '[voice]' },
          { sender: '', time: 4, text: '我也同意' },
          { sender: '赵六', time: 5, text: '' },
        ],
      },
      lisi,
    );
    expect(r.lines.map((l) => [l.sender, l.text])).toEqual([
      ['李四', '您说'],
      ['王五', '建议修路'],
      ['未署名', '我也同意'],
    ]);
    expect(r).toMatchObject({ senders: ['李四', '王五', '未署名'], agentSenders: ['李四'], candidates: ['王五', '未署名'], skipped: 1 });
  });

  test.each([
    ['王五', true],
    ['欧阳娜娜', true],
    ['老王', false],
    ['王大爷', false],
    ['龙驹镇', false],
    ['Wang', false],
  ])('%s looks like a full name: %s', (s, expected) => {
    expect(looksLikeName(s)).toBe(expected);
  });

  test('代录 and a pasted chat', () => {
    expect(proxyPaste('代录：路灯坏了')).toBe('路灯坏了');
    expect(proxyPaste('代录')).toBe('');
    expect(proxyPaste('我想代录')).toBeUndefined();
    expect(pastedRecord('李四：您说\n王五：建议修路', lisi)?.items.map((i) => i.sender)).toEqual(['李四', '王五']);
    // Without the agent among the senders it is plain text (labels, not speakers).
    expect(pastedRecord('建议：修路\n理由：路太窄', lisi)).toBeUndefined();
  });
});
