/**
 * Every permission core knows. An operation names exactly one of these (or is 'authenticated'
 * or 'public'); anything not granted is denied.
 */
export const PERMISSIONS = {
  'user.read': 'Read the staff register (all departments)',
  'user.read.department': "Read the staff register of one's own department and its sub-departments",
  'user.manage': 'Create, change and disable staff accounts',
  'department.read': 'Read the department tree',
  'department.manage': 'Create and change departments',
  'role.read': 'Read the built-in roles and their permissions',
  'catalogue.read': 'Read the PI catalogue',
  'catalogue.manage': 'Add and change PI categories',
  'audit.read': 'Read the audit log',
  'audit.verify': 'Verify the audit chain and its checkpoints',
  'audit.checkpoint': 'Write a signed audit checkpoint',
  'token.manage': 'Create and revoke one’s own API tokens',
  'customer.create': 'Store a new customer’s PI in the vault',
  'customer.read': 'Read customers’ PI masked, and find customers by exact identifier',
  'customer.update': 'Correct a customer’s PI (the old value is kept in the history)',
  'customer.reveal': 'See plain PI values, for a purpose the department holds (audited)',
  'customer.delete': 'Delete a customer by crypto-shredding their data key',
  'key.read': 'List key-encryption keys and re-wrap jobs (metadata only)',
  'key.manage': 'Rotate key-encryption keys',
  'department.purposes': 'Assign the use purposes a department may reveal PI for',
  'backup.manage': 'Write encrypted backups and restore them into an empty database',
  'purpose.read': 'Read purposes and their versions',
  'purpose.manage': 'Draft, submit, activate and retire purposes',
  'purpose.approve': 'Approve or reject submitted purposes (not one’s own)',
  'notice.manage': 'Draft and publish privacy notices',
  'channel.read': 'Read the collection channels',
  'channel.manage': 'Register collection channels',
  'customer.collect': 'Collect customer PI for an active purpose, with its consent',
  'customer.import': 'Bulk-import customer PI from a declared lawful source',
  'consent.read': 'Read customers’ consent records and consent statistics',
  'consent.manage': 'Record consents and withdrawals on a customer’s behalf, with evidence',
  'consent.check': 'Ask whether a customer’s consent covers fields for a purpose',
  'use.apply': 'Apply to use customer PI for a purpose (fields, customers, method, period)',
  'use.review': 'Review use applications at the steps one’s role or department headship allows',
  'use.read': 'Read every use application, review and grant (compliance, audit)',
  'share.request': 'Request sharing customer PI with an approved recipient (purpose, fields, customers, de-identification, legal basis)',
  'share.review': 'Review share requests at the steps one’s role or department headship allows (never one’s own)',
  'share.read': 'Read every share request, its reviews and executions (compliance, audit)',
  'grant.revoke': 'Revoke a grant before it expires',
  'notification.deliver': 'Deliver outbox messages (the worker only; no role holds it)',
  'portal.self': 'A customer’s own portal: their masked data and consents, withdrawal',
  'retention.read': 'Read retention rules, upcoming expiries, sweep runs with their records, legal holds; dry-run the sweep',
  'retention.manage': 'Create retention rules, run the retention sweep, record the end of customer relationships',
  'retention.hold': 'Place and release legal holds that stop the retention clock',
  'medium.read': 'Read the storage-media register, inspections, disposals and destruction certificates',
  'medium.manage': 'Register storage media, record inspections, request disposals and record destruction',
  'medium.approve': 'Approve or reject the disposal of a storage medium (not one’s own request)',
  'processing.read': 'Read and export the processing-records register, transfer campaigns and disclosure requests (compliance, audit)',
  'transfer.manage': 'Create transfer campaigns (merger, division, acquisition), send their notices, record answers and execute them',
  'transfer.approve': 'Approve a transfer campaign (not one’s own) once its impact assessment is completed',
  'disclosure.request': 'Request a public disclosure of customer PI (legal basis or separate consent, minimal masked fields)',
  'disclosure.review': 'Review public disclosure requests at the management or compliance step (not one’s own)',
  'recipient.read': 'Read the third-party recipients register, assessments, commitments, findings and terminations',
  'recipient.manage': 'Register recipients, record commitments and findings, suspend and terminate recipients',
  'recipient.assess': 'Assess a recipient’s protection capability and follow up findings (not a recipient one registered)',
  'recipient.approve': 'Approve or reinstate a recipient after a passing assessment (not one registered oneself)',
  'impact.read': 'Read impact assessments',
  'impact.manage': 'Draft impact assessments for sharing, transfers, disclosures and cross-border recipients',
  'impact.approve': 'Complete (approve) an impact assessment written by someone else',
} as const;

export type Permission = keyof typeof PERMISSIONS;
/** `authenticated`: any signed-in caller; `public`: anyone (login, health). */
export type Requirement = Permission | 'authenticated' | 'public';

export function isPermission(s: string): s is Permission {
  return Object.hasOwn(PERMISSIONS, s);
}
