import type { Requirement } from './authz/permissions.js';

export interface OperationDef {
  /** The API operationId; the server's routes and the CLI refer to operations by it. */
  id: string;
  /** What the caller needs; an array means any one of them. */
  requires: Requirement | readonly Requirement[];
  /** Clauses this operation serves (recorded on its audit events). */
  clauses: readonly string[];
}

function op<const Id extends string>(id: Id, requires: OperationDef['requires'], clauses: readonly string[]) {
  return { id, requires, clauses } as const;
}

/**
 * Every core operation and what it requires. Authorization is decided in core against this
 * table on every call, whether it comes from the API, the CLI or the worker; the server's route
 * table is checked against it by the authorization-matrix test.
 */
export const OPERATIONS = {
  login: op('login', 'public', ['P1.2', 'P2.3']),
  logout: op('logout', 'authenticated', ['P2.3']),
  listLoginMethods: op('listLoginMethods', 'public', ['P1.2']),
  startOidcLogin: op('startOidcLogin', 'public', ['P1.2', 'P2.3']),
  completeOidcLogin: op('completeOidcLogin', 'public', ['P1.2', 'P2.3']),
  getCurrentUser: op('getCurrentUser', 'authenticated', ['P1.2']),
  listUsers: op('listUsers', ['user.read', 'user.read.department'], ['P1.2']),
  getUser: op('getUser', ['user.read', 'user.read.department'], ['P1.2']),
  createUser: op('createUser', 'user.manage', ['P1.2']),
  disableUser: op('disableUser', 'user.manage', ['P1.2', 'P2.3']),
  listDepartments: op('listDepartments', 'department.read', ['P1.2']),
  createDepartment: op('createDepartment', 'department.manage', ['P1.2']),
  listRoles: op('listRoles', 'role.read', ['P1.2']),
  listDataCategories: op('listDataCategories', 'catalogue.read', ['P1.2']),
  createDataCategory: op('createDataCategory', 'catalogue.manage', ['P1.2']),
  listDataCategoryVersions: op('listDataCategoryVersions', 'catalogue.read', ['P1.2']),
  listAuditEvents: op('listAuditEvents', 'audit.read', ['P2.3']),
  verifyAuditChain: op('verifyAuditChain', 'audit.verify', ['P2.3']),
  createAuditCheckpoint: op('createAuditCheckpoint', 'audit.checkpoint', ['P2.3']),
  listApiTokens: op('listApiTokens', 'token.manage', ['P2.3']),
  createApiToken: op('createApiToken', 'token.manage', ['P2.3']),
  revokeApiToken: op('revokeApiToken', 'token.manage', ['P2.3']),
  createCustomer: op('createCustomer', 'customer.create', ['P2.3', 'P2.4', 'P4.1']),
  getCustomer: op('getCustomer', 'customer.read', ['P4.1', 'P5.1']),
  findCustomers: op('findCustomers', 'customer.read', ['P4.1', 'P5.1']),
  updateCustomerField: op('updateCustomerField', 'customer.update', ['P2.4', 'P4.1']),
  revealCustomerFields: op('revealCustomerFields', 'customer.reveal', ['P4.1', 'P5.1']),
  deleteCustomer: op('deleteCustomer', 'customer.delete', ['P4.1', 'P4.2']),
  listCustomerFieldHistory: op('listCustomerFieldHistory', 'customer.read', ['P2.4']),
  rotateKeys: op('rotateKeys', 'key.manage', ['P2.3', 'P4.1']),
  listKeys: op('listKeys', 'key.read', ['P2.3', 'P4.1']),
  setDepartmentPurposes: op('setDepartmentPurposes', 'department.purposes', ['P5.1']),
  listDepartmentPurposes: op('listDepartmentPurposes', 'department.read', ['P5.1']),
  createBackup: op('createBackup', 'backup.manage', ['P2.3', 'P4.1']),
  restoreBackup: op('restoreBackup', 'backup.manage', ['P2.3', 'P4.1']),
  createPurpose: op('createPurpose', 'purpose.manage', ['P3.1', 'P2.1', 'P3.2']),
  submitPurpose: op('submitPurpose', 'purpose.manage', ['P3.1']),
  approvePurpose: op('approvePurpose', 'purpose.approve', ['P3.1', 'P2.1']),
  rejectPurpose: op('rejectPurpose', 'purpose.approve', ['P3.1']),
  activatePurpose: op('activatePurpose', 'purpose.manage', ['P3.1']),
  retirePurpose: op('retirePurpose', 'purpose.manage', ['P3.1']),
  listPurposes: op('listPurposes', 'purpose.read', ['P3.1']),
  createNotice: op('createNotice', 'notice.manage', ['P2.2', 'P3.4']),
  updateNotice: op('updateNotice', 'notice.manage', ['P2.2']),
  publishNotice: op('publishNotice', 'notice.manage', ['P2.2', 'P3.4']),
  listNotices: op('listNotices', 'purpose.read', ['P2.2']),
  getPublishedNotice: op('getPublishedNotice', 'public', ['P2.2', 'P3.4']),
  createChannel: op('createChannel', 'channel.manage', ['P3.3']),
  listChannels: op('listChannels', 'channel.read', ['P3.3']),
  collectCustomerData: op('collectCustomerData', 'customer.collect', ['P3.2', 'P3.3', 'P3.4', 'P2.4']),
  importCustomerData: op('importCustomerData', 'customer.import', ['P3.3', 'P2.4']),
  recordConsent: op('recordConsent', 'consent.manage', ['P3.4']),
  withdrawConsent: op('withdrawConsent', 'consent.manage', ['P3.4']),
  checkConsent: op('checkConsent', 'consent.check', ['P3.4', 'P5.1']),
  listCustomerConsents: op('listCustomerConsents', 'consent.read', ['P3.4']),
  getConsentStatistics: op('getConsentStatistics', 'consent.read', ['P3.4']),
  requestPortalCode: op('requestPortalCode', 'public', ['P3.4']),
  verifyPortalCode: op('verifyPortalCode', 'public', ['P3.4']),
  getPortalOverview: op('getPortalOverview', 'portal.self', ['P3.4']),
  withdrawMyConsent: op('withdrawMyConsent', 'portal.self', ['P3.4']),
  portalLogout: op('portalLogout', 'portal.self', ['P3.4']),
  deliverNotification: op('deliverNotification', 'notification.deliver', ['P2.3']),
  createUseApplication: op('createUseApplication', 'use.apply', ['P5.1', 'P5.2']),
  submitUseApplication: op('submitUseApplication', 'use.apply', ['P5.2']),
  // Staff may review only under a delegation in force; the step check in core decides.
  reviewUseApplication: op('reviewUseApplication', ['use.review', 'use.apply'], ['P5.2']),
  listUseApplications: op('listUseApplications', ['use.apply', 'use.review', 'use.read'], ['P5.2']),
  listGrants: op('listGrants', ['use.apply', 'use.review', 'use.read'], ['P5.2']),
  revokeGrant: op('revokeGrant', 'grant.revoke', ['P5.2']),
  createApprovalDelegation: op('createApprovalDelegation', 'use.review', ['P5.2']),
  createRetentionRule: op('createRetentionRule', 'retention.manage', ['P4.2']),
  listRetentionRules: op('listRetentionRules', 'retention.read', ['P4.2']),
  previewRetentionSweep: op('previewRetentionSweep', 'retention.read', ['P4.2']),
  runRetentionSweep: op('runRetentionSweep', 'retention.manage', ['P4.2', 'P4.1']),
  listRetentionRuns: op('listRetentionRuns', 'retention.read', ['P4.2']),
  getRetentionRun: op('getRetentionRun', 'retention.read', ['P4.2']),
  listRetentionExpiries: op('listRetentionExpiries', 'retention.read', ['P4.2']),
  placeLegalHold: op('placeLegalHold', 'retention.hold', ['P4.2']),
  releaseLegalHold: op('releaseLegalHold', 'retention.hold', ['P4.2']),
  listLegalHolds: op('listLegalHolds', 'retention.read', ['P4.2']),
  endCustomerRelationship: op('endCustomerRelationship', ['customer.update', 'retention.manage'], ['P4.2']),
  createStorageMedium: op('createStorageMedium', 'medium.manage', ['P4.3']),
  listStorageMedia: op('listStorageMedia', 'medium.read', ['P4.3']),
  getStorageMedium: op('getStorageMedium', 'medium.read', ['P4.3']),
  listStorageDataSets: op('listStorageDataSets', 'medium.read', ['P4.3']),
  updateStorageDataSet: op('updateStorageDataSet', 'medium.manage', ['P4.3', 'P4.2']),
  recordMediumInspection: op('recordMediumInspection', 'medium.manage', ['P4.3']),
  sendMediumInspectionReminders: op('sendMediumInspectionReminders', 'medium.manage', ['P4.3']),
  requestMediumDisposal: op('requestMediumDisposal', 'medium.manage', ['P4.3']),
  approveMediumDisposal: op('approveMediumDisposal', 'medium.approve', ['P4.3']),
  rejectMediumDisposal: op('rejectMediumDisposal', 'medium.approve', ['P4.3']),
  recordMediumDestruction: op('recordMediumDestruction', 'medium.manage', ['P4.3']),
  getMediumDisposalCertificate: op('getMediumDisposalCertificate', 'medium.read', ['P4.3']),
} as const satisfies Record<string, OperationDef>;

export type OperationId = keyof typeof OPERATIONS;
