import { describe, expect, test } from 'vitest';
import { createSimilarityIndex, type SimilarityEntry } from '../../src/judgement/index.js';
import { syntheticSuggestion } from '../../bench/similarity.bench.js';

const bus: SimilarityEntry = {
  reference: 'WZ2021-000001',
  title: '关于五桥片区增设公交线路的建议',
  proposal: '五桥片区早晚高峰公交车非常挤，学生上学挤不上车。建议在五桥增开高峰区间车，早上7点到8点半加密到5分钟一班。',
  status: 'assigned',
};
const orange: SimilarityEntry = {
  reference: 'WZ2021-000002',
  title: '关于玫瑰香橙冷链仓储的建议',
  proposal: '分水镇的玫瑰香橙丰收时卖不出好价钱，建议在镇上建产地冷链仓储点，联合电商平台直播带货。',
  status: 'submitted',
};
const elevator: SimilarityEntry = {
  reference: 'WZ2021-000003',
  title: '老旧小区加装电梯',
  proposal: '建议对老旧小区加装电梯给予补助，简化审批流程，方便老年人上下楼。',
  status: 'answered',
};

function seeded() {
  const index = createSimilarityIndex();
  for (const e of [bus, orange, elevator]) index.add(e);
  for (let i = 0; i < 200; i++) index.add({ ...syntheticSuggestion(i), reference: `WZ2020-${String(i).padStart(6, '0')}` });
  return index;
}

describe('similarity index', () => {
  test('finds a reworded suggestion on the same matter, with its reference, title and status', () => {
    const index = seeded();
    const found = index.query({ title: '五桥公交太挤', proposal: '建议五桥早高峰多开几班公交车，学生上学挤不上' });
    expect(found[0]).toMatchObject({ reference: bus.reference, title: bus.title, status: 'assigned' });
    expect(found[0]!.score).toBeGreaterThan(0.3);
    expect(found.length).toBeLessThanOrEqual(3);
  });

  test('ignores an unrelated suggestion', () => {
    const index = createSimilarityIndex();
    for (const e of [bus, orange, elevator]) index.add(e);
    expect(index.query({ title: '图书馆延长开放时间', proposal: '建议区图书馆晚上开放到9点，方便学生和上班族看书。' })).toEqual([]);
  });

  test('returns at most k matches, most similar first', () => {
    const index = seeded();
    const found = index.query({ title: orange.title, proposal: orange.proposal }, 2);
    expect(found.length).toBeLessThanOrEqual(2);
    expect(found[0]!.reference).toBe(orange.reference);
    expect(found[0]!.score).toBeGreaterThan(0.95);
  });

  test('updates: a status change shows in results, a rewritten text is matched by its new words', () => {
    const index = seeded();
    index.update({ ...elevator, status: 'closed' });
    expect(index.query({ title: '加装电梯', proposal: '老旧小区加装电梯补助' })[0]).toMatchObject({ reference: elevator.reference, status: 'closed' });

    index.update({ ...elevator, title: '滨江路路灯改造', proposal: '建议把滨江路沿江步道的路灯换成LED灯，晚上更亮更安全。' });
    expect(index.query({ title: '加装电梯', proposal: '老旧小区加装电梯补助' }).map((m) => m.reference)).not.toContain(elevator.reference);
    expect(index.query({ title: '滨江路灯太暗', proposal: '滨江路晚上路灯太暗，建议换LED灯' })[0]?.reference).toBe(elevator.reference);
    expect(index.size).toBe(203);
  });

  test('removes: a withdrawn suggestion is no longer found', () => {
    const index = seeded();
    expect(index.remove(bus.reference)).toBe(true);
    expect(index.remove(bus.reference)).toBe(false);
    expect(index.query({ title: bus.title, proposal: bus.proposal }).map((m) => m.reference)).not.toContain(bus.reference);
    expect(index.size).toBe(202);
  });

  test('can leave the suggestion itself out', () => {
    const index = seeded();
    const found = index.query({ title: bus.title, proposal: bus.proposal, excludeReference: bus.reference });
    expect(found.map((m) => m.reference)).not.toContain(bus.reference);
  });
});
