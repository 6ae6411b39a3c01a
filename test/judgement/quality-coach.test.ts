import { describe, expect, test } from 'vitest';
import { coachQuality } from '../../src/judgement/index.js';

describe('coachQuality', () => {
  test.each([
    '建议在五桥片区增设公交线路，方便学生上下学',
    '建议学校门口的斑马线加装行人过街感应灯。',
    '太白路和白岩路交叉口没有左转信号灯，车辆抢行容易出事故，建议增设左转箭头灯。',
    '建议在龙驹镇建设一个农产品集配中心，统一分拣包装，再通过冷链车每天发往主城。村民可以入股分红。',
  ])('passes a concrete proposal, short or long: %s', (text) => {
    expect(coachQuality(text)).toEqual({ ok: true });
  });

  test.each([
    ['', 'empty', false],
    ['🙏🙏', 'empty', false],
    ['关于加强农村道路建设的建议', 'title_only', false],
    ['乡村振兴建议', 'title_only', false],
    ['建议加强农村道路建设。', 'one_sentence', true],
    ['希望政府多为老百姓办实事', 'vague', true],
    ['大力推进乡村振兴，全面提升群众幸福感，切实做好各项工作', 'vague', true],
    [
      '要坚持以人民为中心的发展思想，全面贯彻新发展理念，推动高质量发展，不断满足人民日益增长的美好生活需要。',
      'vague',
      true,
    ],
    ['一是建议增设五桥公交线路；二是建议学校食堂降价；三是建议医院延长挂号时间', 'multiple_matters', true],
    ['五桥的公交车太少了，学生上学很不方便，每天早上都挤不上车。', 'no_measure', true],
    ['建议放开长江禁捕，让渔民恢复捕鱼，毕竟渔民也要生活。', 'unlawful', true],
    ['建议在进村的路口设卡收过路费，用来修路。', 'unlawful', true],
  ])('%j → %s', (text, problem, soft) => {
    expect(coachQuality(text)).toMatchObject({ ok: false, problem, soft });
  });

  test('a long proposal made of slogans does not pass, a short concrete one does', () => {
    const slogans =
      '建议进一步加强领导，统筹协调，形成合力，全面推进乡村振兴高质量发展，不断提升群众获得感、幸福感、安全感，奋力开创新局面，谱写新篇章。';
    expect(coachQuality(slogans)).toMatchObject({ ok: false, problem: 'vague' });
    expect(coachQuality('建议北山大道公交站加装遮雨棚。')).toEqual({ ok: true });
  });

  test('several measures on one matter are one matter (一事一议 holds)', () => {
    const text = '一是建议在五桥增开高峰公交区间车；二是建议五桥公交站台加装实时到站显示屏；三是建议五桥公交线路延长末班时间。';
    expect(coachQuality(text)).toEqual({ ok: true });
  });

  test('a proposal that only repeats the title is title-only', () => {
    expect(coachQuality('五桥公交增设线路', { title: '五桥公交增设线路' })).toMatchObject({ ok: false, problem: 'title_only', detail: 'same_as_title' });
  });
});
