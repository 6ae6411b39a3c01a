/**
 * Config for quota tests: the campaign's six units (the office and the five co-organisers) plus a town and a
 * street, their agents, and office members (the default config's other departments and towns left out, so
 * the reports stay short).
 */
const CAMPAIGN_UNITS = ['xfb', 'fgw', 'nyncw', 'jw', 'gzw', 'xczxj'];
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';

export function quotaConfig(over: Partial<AppConfig['quotas']> = {}): AppConfig {
  const base = loadTestConfig();
  return {
    ...base,
    units: [
      ...base.units.filter((u) => CAMPAIGN_UNITS.includes(u.id)).map((u) => (u.id === 'xfb' ? { ...u, wecomUserIds: ['office_chen'] } : u)),
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
