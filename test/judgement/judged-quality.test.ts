/**
 * Issue 14 (play4 10, 21, 27, 28, 29): the quality coach on texts as citizens typed them. Several matters
 * come back as the citizen wrote each one (the conversation offers them as choices).
 */
import { describe, expect, test } from 'vitest';
import { coachQuality } from '../../src/judgement/quality-coach.js';

describe('several matters in one text (一事一议)', () => {
  test.each([
    ['建议 两个事 一个是万达那边停车难 一个是公交车太少', ['万达那边停车难', '公交车太少']],
    ['第一个 公交车上下班高峰要加班 第二个 公园多装几个厕所', ['公交车上下班高峰要加班', '公园多装几个厕所']],
    ['第一个 关于公交车上下班高峰加班的建议 第二个 关于公园多装几个厕所的', ['关于公交车上下班高峰加班的建议', '关于公园多装几个厕所的']],
    ['早上七点到九点 公交车挤不上 建议加开班次 公园厕所太少 建议每个公园至少两个', ['早上七点到九点 公交车挤不上 建议加开班次', '公园厕所太少 建议每个公园至少两个']],
    ['小区门口没有红绿灯，建议装一个。菜市场地上太滑，建议铺防滑砖。', ['小区门口没有红绿灯，建议装一个', '菜市场地上太滑，建议铺防滑砖']],
  ])('%s → the matters as written', (text, matters) => {
    expect(coachQuality(text)).toMatchObject({ ok: false, problem: 'multiple_matters', matters });
  });

  test.each([
    '公交太挤 建议加班次 晚上也没车 建议延长到十点',
    '建议在五桥片区增设公交线路，方便学生上下学',
    '学校放假后操场锁着，建议假期每天早上六点到八点、晚上六点到九点对周边居民开放，由社区派人管理',
    '五桥片区公交太挤，建议早高峰加密班次。建议在各站设立候车亭，由公交公司统一管理，解决下雨天没地方躲的问题',
  ])('%s is one matter', (text) => {
    expect(coachQuality(text)).not.toMatchObject({ problem: 'multiple_matters' });
  });
});

describe('announcements and stutters are not content', () => {
  test.each([
    ['建意 农村的留守儿童 没人管 周末可以搞个四点半课堂', 'one_sentence'],
    ['建议 建议 建议 万州到重庆的动车票太难买了 能不能多开几趟', 'one_sentence'],
    ['我们村里的垃圾没人收 到处乱丢 臭得很 想提个建议', 'no_measure'],
    ['你好 我想提个建议 公交车太挤了 天天挤不上', 'no_measure'],
  ])('%s → %s', (text, problem) => {
    expect(coachQuality(text)).toMatchObject({ ok: false, problem });
  });

  test('a heading 建议 before a concrete measure still passes', () => {
    expect(coachQuality('建议 龙驹镇到城区的班车 早上六点半加一班 现在只有一趟 赶场的老人回不来')).toEqual({ ok: true });
  });
});
