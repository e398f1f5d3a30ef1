import type { Permission } from './permissions.js';

export const ROLE_IDS = [
  'administrator',
  'compliance_officer',
  'security_officer',
  'department_head',
  'management_approver',
  'staff',
  'auditor',
] as const;
export type RoleId = (typeof ROLE_IDS)[number];

export interface RoleDefinition {
  id: RoleId;
  name: { 'zh-CN': string; en: string };
  description: { 'zh-CN': string; en: string };
  permissions: Permission[];
}

/**
 * Built-in roles (P1.2). Administrators run the system but are not given plain-PI access by
 * role: PI access comes from purposes and grants (P5.1, P5.2). Auditors read records and the
 * audit log, never plain PI.
 */
export const ROLES: Record<RoleId, RoleDefinition> = {
  administrator: {
    id: 'administrator',
    name: { 'zh-CN': '系统管理员', en: 'Administrator' },
    description: { 'zh-CN': '管理用户、部门和个人信息目录', en: 'Manages users, departments and the PI catalogue' },
    permissions: [
      'user.read',
      'user.manage',
      'department.read',
      'department.manage',
      'role.read',
      'catalogue.read',
      'catalogue.manage',
      'audit.read',
      'audit.verify',
      'audit.checkpoint',
      'token.manage',
      'key.read',
      'purpose.read',
      'channel.read',
      'channel.manage',
      'medium.read',
      'medium.manage',
      'retention.read',
    ],
  },
  compliance_officer: {
    id: 'compliance_officer',
    name: { 'zh-CN': '合规负责人', en: 'Compliance officer' },
    description: {
      'zh-CN': '维护目录与制度执行，审批目的，查看审计',
      en: 'Maintains the catalogue and policy controls, approves purposes, reviews audit',
    },
    permissions: [
      'user.read',
      'department.read',
      'role.read',
      'catalogue.read',
      'catalogue.manage',
      'audit.read',
      'audit.verify',
      'token.manage',
      'customer.read',
      'customer.delete',
      'department.purposes',
      'purpose.read',
      'purpose.manage',
      'purpose.approve',
      'notice.manage',
      'channel.read',
      'channel.manage',
      'consent.read',
      'consent.manage',
      'consent.check',
      'customer.import',
      'medium.read',
      'retention.read',
      'retention.manage',
      'retention.hold',
      'use.review',
      'use.read',
      'grant.revoke',
    ],
  },
  security_officer: {
    id: 'security_officer',
    name: { 'zh-CN': '安全负责人', en: 'Security officer' },
    description: { 'zh-CN': '负责密钥、备份与审计链校验', en: 'Responsible for keys, backups and audit-chain verification' },
    permissions: [
      'user.read',
      'department.read',
      'role.read',
      'catalogue.read',
      'audit.read',
      'audit.verify',
      'audit.checkpoint',
      'token.manage',
      'key.read',
      'key.manage',
      'backup.manage',
      'purpose.read',
      'medium.read',
      'medium.manage',
      'medium.approve',
      'retention.read',
    ],
  },
  department_head: {
    id: 'department_head',
    name: { 'zh-CN': '部门负责人', en: 'Department head' },
    description: { 'zh-CN': '审核本部门的使用申请', en: "Reviews their department's use applications" },
    permissions: [
      'user.read.department',
      'department.read',
      'role.read',
      'catalogue.read',
      'token.manage',
      'customer.create',
      'customer.read',
      'customer.update',
      'customer.reveal',
      'purpose.read',
      'purpose.manage',
      'notice.manage',
      'channel.read',
      'customer.collect',
      'customer.import',
      'consent.read',
      'consent.manage',
      'consent.check',
      'use.apply',
      'use.review',
    ],
  },
  management_approver: {
    id: 'management_approver',
    name: { 'zh-CN': '管理层审批人', en: 'Management approver' },
    description: { 'zh-CN': '批准个人信息使用、共享与披露', en: 'Approves use, sharing and disclosure of PI' },
    permissions: [
      'department.read',
      'role.read',
      'catalogue.read',
      'token.manage',
      'purpose.read',
      'medium.read',
      'medium.approve',
      'use.review',
      'use.read',
      'grant.revoke',
    ],
  },
  staff: {
    id: 'staff',
    name: { 'zh-CN': '员工', en: 'Staff' },
    description: { 'zh-CN': '在获批目的与授权范围内处理客户个人信息', en: 'Handles customer PI within approved purposes and grants' },
    permissions: [
      'department.read',
      'catalogue.read',
      'token.manage',
      'customer.create',
      'customer.read',
      'customer.update',
      'customer.reveal',
      'purpose.read',
      'channel.read',
      'customer.collect',
      'consent.read',
      'consent.manage',
      'consent.check',
      'use.apply',
    ],
  },
  auditor: {
    id: 'auditor',
    name: { 'zh-CN': '审计员', en: 'Auditor' },
    description: { 'zh-CN': '查看记录与审计日志，不接触明文个人信息', en: 'Reads records and the audit log, never plain PI' },
    permissions: [
      'user.read',
      'department.read',
      'role.read',
      'catalogue.read',
      'audit.read',
      'audit.verify',
      'purpose.read',
      'channel.read',
      'consent.read',
      'medium.read',
      'retention.read',
      'use.read',
    ],
  },
};

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) {
    const def = (ROLES as Record<string, RoleDefinition | undefined>)[r];
    if (def) for (const p of def.permissions) out.add(p);
  }
  return out;
}
