/**
 * Issue 14: first messages that say they are a suggestion are in scope (a suggestion when they name their
 * matter, a start when they only announce one); personal matters announced with 建议 are not.
 */
import { describe, expect, test } from 'vitest';
import { judgeScope } from '../../src/judgement/scope-classifier.js';

describe('a message announcing a suggestion', () => {
  test.each([
    '我是长滩镇的 建议搞乡村旅游',
    '我们村里的垃圾没人收 到处乱丢 臭得很 想提个建议',
    '建意 农村的留守儿童 没人管 周末可以搞个四点半课堂',
    '我是甘宁镇的 想提个建议 我们那里的橙子卖不出去',
  ])('%s is a suggestion', (text) => {
    expect(judgeScope(text).kind).toBe('suggestion');
  });

  test.each(['我是龙沙镇的代理员 帮村民录一条建议', '我想提个建议 关于农村养老的 你先告诉我提了有没有用 政府会不会看', '我有个建意', '提个意见'])(
    '%s starts a draft with nothing written yet',
    (text) => {
      expect(judgeScope(text).kind).toBe('start');
    },
  );

  test('a suggestion announced in pieces waits for them; a measure already named is kept', () => {
    expect(judgeScope('有个建议，关于渝东开发区招商引资的，我分几段发给你').kind).toBe('start');
    expect(judgeScope('我有个建议 关于教育的 等我慢慢打字').kind).toBe('start');
    expect(judgeScope('建议在五桥增设公交线路 我分几段发给你').kind).toBe('suggestion');
  });

  test.each(['我想提个建议 我家的低保被取消了 帮我恢复一下', '建议你们管管我们楼下那家麻将馆 天天吵'])('%s is still not a suggestion', (text) => {
    expect(['out_of_scope', 'unsure']).toContain(judgeScope(text).kind);
  });
});
