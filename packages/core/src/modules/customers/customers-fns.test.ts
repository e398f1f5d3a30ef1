import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../errors.js';
import { assertNoPlainPi } from './customers-fns.js';

describe('free text must not carry customer PI', () => {
  it.each([
    '回拨13812345678',
    '客户来电 138 1234 5678',
    '手机号+86-138-1234-5678核实',
    '身份证11010519491231002X',
    '身份证１１０１０５１９４９１２３１００２Ｘ',
    '邮箱zhang.san@example.com已更新',
    '卡号6228480402564890018',
  ])('refuses %s', (text) => {
    expect(() => assertNoPlainPi('justification', text)).toThrow(InvalidError);
  });

  it.each(['客户来电核实身份', '工单 2026-11-27 第3次回访', '合同编号 HT20261127', '金额 12000 元'])('accepts %s', (text) => {
    expect(() => assertNoPlainPi('justification', text)).not.toThrow();
  });
});
