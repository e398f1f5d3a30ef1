import { describe, expect, it } from 'vitest';
import { addressRegionPrefix, addressType as t } from './address.js';
import { chinaProvinces, getProvince, matchProvincePrefix } from './provinces.js';

describe('provinces', () => {
  it('has the 34 province-level divisions with zh/en names', () => {
    expect(chinaProvinces).toHaveLength(34);
    const codes = chinaProvinces.map((p) => Number(p.code));
    const expected = [
      11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81,
      82,
    ];
    expect(codes).toEqual(expected);
    expect(getProvince('44')).toMatchObject({ zh: '广东省', en: 'Guangdong' });
    expect(getProvince('81')?.names).toContain('香港');
  });

  it('matches the longest recognised form at the start', () => {
    expect(matchProvincePrefix('内蒙古自治区呼和浩特市')?.name).toBe('内蒙古自治区');
    expect(matchProvincePrefix('内蒙古呼和浩特市')?.name).toBe('内蒙古');
    expect(matchProvincePrefix('广东深圳')?.province.code).toBe('44');
    expect(matchProvincePrefix('深圳市')).toBeUndefined();
  });
});

describe('address', () => {
  it.each([
    ['广东省深圳市南山区科技园路1号', '广东省深圳市'],
    ['广东深圳南山区', '广东'],
    ['浙江省杭州市西湖区', '浙江省杭州市'],
    ['广东省广州市天河区', '广东省广州市'],
    ['湖北省恩施土家族苗族自治州恩施市舞阳大街', '湖北省恩施土家族苗族自治州'],
    ['内蒙古自治区锡林郭勒盟锡林浩特市', '内蒙古自治区锡林郭勒盟'],
    ['西藏自治区阿里地区噶尔县', '西藏自治区阿里地区'],
    ['北京市朝阳区建国路88号', '北京市'],
    ['上海浦东新区世纪大道100号', '上海'],
    ['香港特别行政区九龙弥敦道', '香港特别行政区'],
    ['海南省陵水黎族自治县英州镇', '海南省'],
    ['深圳市南山区科技园', '深圳市'],
    ['某某路100号院3号楼', ''],
  ])('region prefix of %s is %s', (address, prefix) => {
    expect(addressRegionPrefix(address)).toBe(prefix);
  });

  it('masks: province and city kept, the rest ****', () => {
    expect(t.mask('广东省深圳市南山区科技园路1号')).toBe('广东省深圳市****');
    expect(t.mask('  北京市 朝阳区  建国路88号 ')).toBe('北京市****');
    expect(t.mask('某某路100号院3号楼')).toBe('****');
    expect(t.mask('广东省深圳市南山区科技园路1号', { keepFirst: 3 })).toBe('广东省****');
  });

  it('validates', () => {
    expect(t.validate('北京')).toEqual({ valid: true });
    expect(t.validate('深圳市')).toEqual({ valid: true });
    expect(t.validate('某某路1号')).toEqual({ valid: true });
    expect(t.validate('')).toEqual({ valid: false, reason: 'empty' });
    expect(t.validate('某路1号')).toEqual({ valid: false, reason: 'too_short' });
    expect(t.validate('路'.repeat(501))).toEqual({ valid: false, reason: 'too_long' });
  });

  it('detects addresses, not names or numbers', () => {
    expect(t.detect('广东省深圳市南山区科技园路1号')).toBeGreaterThan(0.8);
    expect(t.detect('深圳市南山区科技园')).toBeGreaterThan(0.5);
    expect(t.detect('张三')).toBe(0);
    expect(t.detect('13800138000')).toBe(0);
  });
});
