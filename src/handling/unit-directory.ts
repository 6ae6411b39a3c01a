/**
 * Who belongs to which handling unit: a unit's WeCom userids (`units[].wecomUserIds`) plus the members
 * configured with that unit (`members[]`, roles unit/office). Read from config once.
 */
import type { FileConfig } from '../infra/config.js';

export type DirectoryConfig = Pick<FileConfig, 'units' | 'members' | 'collectingOffice'>;

export interface UnitDirectory {
  unitName(unitId: string): string;
  hasUnit(unitId: string): boolean;
  /** The WeCom userids who handle the unit's suggestions (cards, reminders). */
  recipients(unitId: string): string[];
  /** The units a WeCom member handles for. */
  unitsOf(userid: string): string[];
  /** A member's display name (config `members[].name`), or the userid. */
  memberName(userid: string): string;
  robotKey(unitId: string): string | undefined;
  /** The collecting office (区信访办). */
  office: string;
}

export function createUnitDirectory(cfg: DirectoryConfig): UnitDirectory {
  const units = new Map(cfg.units.map((u) => [u.id, u]));
  const recipients = new Map<string, string[]>();
  for (const u of cfg.units) {
    const ids = [...u.wecomUserIds, ...cfg.members.filter((m) => m.unit === u.id && (m.role === 'unit' || m.role === 'office')).map((m) => m.userid)];
    recipients.set(u.id, [...new Set(ids)]);
  }
  const names = new Map(cfg.members.map((m) => [m.userid, m.name]));
  return {
    unitName: (id) => units.get(id)?.name ?? id,
    hasUnit: (id) => units.has(id),
    recipients: (id) => [...(recipients.get(id) ?? [])],
    unitsOf: (userid) => [...recipients].filter(([, ids]) => ids.includes(userid)).map(([id]) => id),
    memberName: (userid) => names.get(userid) ?? userid,
    robotKey: (id) => units.get(id)?.robotKey,
    office: cfg.collectingOffice,
  };
}
