/** The seed's four kinds of suggestion, with what the notice asks of each. */
import type { SuggestionCategory } from '../../src/domain/suggestion-types.js';

export const categoryTexts: Record<SuggestionCategory, { name: string; requirement: string; hint: string }> = {
  policy: {
    name: '完善政策',
    requirement: '完善政策类建议要突出民生导向',
    hint: '请说明现行政策哪里不完善、影响到哪些群众，以及您建议怎样调整',
  },
  work: {
    name: '改进工作',
    requirement: '改进工作类建议要力求务实可行',
    hint: '请说明哪项工作、哪个环节需要改进，以及具体怎么改、由谁来做',
  },
  problem: {
    name: '解决问题',
    requirement: '解决问题类建议要提出思路举措',
    hint: '除了说明问题，还请提出解决的思路和具体举措',
  },
  innovation: {
    name: '创新体制机制',
    requirement: '创新体制机制类建议要具有可操作性和可复制性',
    hint: '请说明新机制怎么运行、谁来负责，以及为什么可以在其他地方推广',
  },
};

export const categoryOrder: SuggestionCategory[] = ['policy', 'work', 'problem', 'innovation'];
