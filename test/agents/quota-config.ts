/** Config for quota tests: the default units plus a town and a street, their agents, and office members. */
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';

export function quotaConfig(over: Partial<AppConfig['quotas']> = {}): AppConfig {
  const base = loadTestConfig();
  return {
    ...base,
    units: [
      ...base.units.map((u) => (u.id === 'xfb' ? { ...u, wecomUserIds: ['office_chen'] } : u)),
      { id: 'longju', name: '龙驹镇', kind: 'town', coOrganizer: false, wecomUserIds: [] },
      { id: 'gaosun', name: '高笋塘街道', kind: 'street', coOrganizer: false, wecomUserIds: [] },
    ],
    agents: [
      { id: 'zhao', name: '赵六', unit: 'longju', wecomUserId: 'zhao', kfExternalUserIds: [], devUsers: [] },
      { id: 'lisi', name: '李四', unit: 'nyncw', wecomUserId: 'lisi', kfExternalUserIds: [], devUsers: [] },
    ],
    quotas: { ...base.quotas, ...over },
  };
}
