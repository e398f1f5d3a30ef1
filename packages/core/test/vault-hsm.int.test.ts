import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRevealAccess } from './consent-fixtures.js';
import { createTestCore, reportSkip, SYSTEM, type TestCore } from './helpers.js';

/** The vault end to end with its KEKs inside an HSM (SoftHSM2 over PKCS#11), as in production. */
const hsm = {
  library: process.env.CUSTOS_PKCS11_LIBRARY,
  token: process.env.CUSTOS_PKCS11_TOKEN_LABEL,
  pin: process.env.CUSTOS_PKCS11_PIN,
};
const skip = hsm.library && hsm.token && hsm.pin ? false : 'CUSTOS_PKCS11_LIBRARY not set (run scripts/softhsm-setup.sh)';
reportSkip('vault on an HSM (PKCS#11)', skip);

describe.skipIf(skip)('customer PI vault with the pkcs11 key provider', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await createTestCore('pglite', {
      CUSTOS_KEY_PROVIDER: 'pkcs11',
      CUSTOS_PKCS11_LIBRARY: hsm.library!,
      CUSTOS_PKCS11_TOKEN_LABEL: hsm.token!,
      CUSTOS_PKCS11_PIN: hsm.pin!,
    });
  });
  afterAll(async () => t?.close());

  it('stores, reveals and re-wraps with keys that never leave the HSM', async () => {
    // A registered purpose held by the staff member's department, with a live grant (P5.1, P5.2).
    const { staff, code } = await seedRevealAccess(t.core, { fields: ['mobile', 'bank_card'] });
    const c = await t.core.customers.create(staff, { fields: { mobile: '13512345678', bank_card: '6228480402564890018' } });
    expect(c.fields.find((f) => f.field === 'bank_card')!.masked).toBe('622848*********0018');
    const keys = await t.core.keys.list(SYSTEM);
    expect(keys.keks.find((k) => k.state === 'current')!.provider).toMatch(/^pkcs11:/);
    const job = await t.core.keys.rotate(SYSTEM);
    await t.core.keys.settle();
    expect((await t.core.keys.list(SYSTEM)).keks.find((k) => k.version === job.toVersion)!.wrappedDataKeys).toBe(1);
    const r = await t.core.customers.reveal(staff, c.id, { fields: ['bank_card'], purpose: code, justification: '风控复核' });
    expect(r.values.bank_card).toBe('6228480402564890018');
  });
});
