import { describe, expect, it } from 'vitest';
import { chinaProvinces } from '../../pi-types/provinces.js';
import { residentIdCheckChar } from '../../pi-types/resident-id.js';
import { ADULT_QUASI_IDENTIFIERS, adultDomains, adultHierarchies } from './adult-hierarchies.js';
import { CHINA_CITIES, PROVINCE_REGION, matchCityPrefix } from './china-regions.js';
import {
  ageHierarchy,
  builtinHierarchies,
  chinaAddressHierarchy,
  chinaCityHierarchy,
  dateHierarchy,
  intervalHierarchy,
  parsePlace,
  residentIdHierarchy,
  tableHierarchy,
  type Hierarchy,
} from './hierarchies.js';

const all = (h: Hierarchy, v: string) => Array.from({ length: h.levels }, (_, l) => h.generalise(v, l));

function residentId(body17: string): string {
  return body17 + residentIdCheckChar(body17);
}

describe('date hierarchy', () => {
  it('generalises day → month → year → decade → *', () => {
    expect(dateHierarchy.levelNames).toEqual(['date', 'month', 'year', 'decade', '*']);
    expect(all(dateHierarchy, '1990-05-17')).toEqual(['1990-05-17', '1990-05', '1990', '1990-1999', '*']);
    expect(all(dateHierarchy, '2024年3月1日')).toEqual(['2024-03-01', '2024-03', '2024', '2020-2029', '*']);
    expect(all(dateHierarchy, '20011231')).toEqual(['2001-12-31', '2001-12', '2001', '2000-2009', '*']);
  });

  it('puts invalid dates at * above level 0', () => {
    expect(all(dateHierarchy, '1990-02-30')).toEqual(['1990-02-30', '*', '*', '*', '*']);
    expect(all(dateHierarchy, '不详')).toEqual(['不详', '*', '*', '*', '*']);
  });
});

describe('interval hierarchies', () => {
  it('bands ages: exact → 5 → 10 → 20 years → *', () => {
    expect(ageHierarchy.levels).toBe(5);
    expect(all(ageHierarchy, '37')).toEqual(['37', '35-39', '30-39', '20-39', '*']);
    expect(all(ageHierarchy, '40')).toEqual(['40', '40-44', '40-49', '40-59', '*']);
    expect(all(ageHierarchy, '未知')).toEqual(['未知', '*', '*', '*', '*']);
  });

  it('maps numbers to ranges, integer or real', () => {
    const income = intervalHierarchy('income', [1000, 5000, 10000]);
    expect(all(income, '12345')).toEqual(['12345', '12000-12999', '10000-14999', '10000-19999', '*']);
    const real = intervalHierarchy('score', [0.5, 1], { integer: false });
    expect(all(real, '2.7')).toEqual(['2.7', '[2.5,3)', '[2,3)', '*']);
    expect(all(income, '-1')).toEqual(['-1', '-1000--1', '-5000--1', '-10000--1', '*']);
  });

  it('refuses widths that do not nest', () => {
    expect(() => intervalHierarchy('bad', [5, 12])).toThrow(/multiple/);
    expect(() => intervalHierarchy('bad', [0])).toThrow(/positive/);
  });
});

describe('Chinese places', () => {
  it('ships a region for every province-level division and listed cities in known provinces', () => {
    for (const p of chinaProvinces) expect(PROVINCE_REGION[p.code], p.zh).toBeDefined();
    for (const c of CHINA_CITIES)
      expect(
        chinaProvinces.some((p) => p.code === c.provinceCode),
        c.name,
      ).toBe(true);
    // All 27 provincial capitals (+ Taipei) and the 4 municipalities are listed.
    expect(CHINA_CITIES.filter((c) => c.capital)).toHaveLength(32);
    expect(new Set(CHINA_CITIES.map((c) => c.name)).size).toBe(CHINA_CITIES.length);
  });

  it.each([
    ['广东省深圳市南山区科技园路1号', ['广东省深圳市南山区科技园路1号', '广东省深圳市', '广东省', '华南', '*']],
    ['广东深圳南山区', ['广东深圳南山区', '广东省深圳市', '广东省', '华南', '*']],
    ['深圳市南山区科技园', ['深圳市南山区科技园', '广东省深圳市', '广东省', '华南', '*']],
    ['浙江省杭州市西湖区', ['浙江省杭州市西湖区', '浙江省杭州市', '浙江省', '华东', '*']],
    ['北京市朝阳区建国路88号', ['北京市朝阳区建国路88号', '北京市', '北京市', '华北', '*']],
    ['上海浦东新区世纪大道100号', ['上海浦东新区世纪大道100号', '上海市', '上海市', '华东', '*']],
    ['内蒙古自治区锡林郭勒盟锡林浩特市', ['内蒙古自治区锡林郭勒盟锡林浩特市', '内蒙古自治区锡林郭勒盟', '内蒙古自治区', '华北', '*']],
    ['黑龙江省哈尔滨市南岗区', ['黑龙江省哈尔滨市南岗区', '黑龙江省哈尔滨市', '黑龙江省', '东北', '*']],
    ['四川省成都市武侯区', ['四川省成都市武侯区', '四川省成都市', '四川省', '西南', '*']],
    ['新疆乌鲁木齐市天山区', ['新疆乌鲁木齐市天山区', '新疆维吾尔自治区乌鲁木齐市', '新疆维吾尔自治区', '西北', '*']],
    ['河南省郑州市金水区', ['河南省郑州市金水区', '河南省郑州市', '河南省', '华中', '*']],
    ['香港特别行政区九龙弥敦道', ['香港特别行政区九龙弥敦道', '香港特别行政区', '香港特别行政区', '华南', '*']],
    ['海南省陵水黎族自治县英州镇', ['海南省陵水黎族自治县英州镇', '海南省*', '海南省', '华南', '*']],
    ['中山路100号', ['中山路100号', '*', '*', '*', '*']],
    ['123 Main Street, Springfield', ['123 Main Street, Springfield', '*', '*', '*', '*']],
  ])('generalises the address %s', (address, expected) => {
    expect(all(chinaAddressHierarchy, address)).toEqual(expected);
  });

  it('generalises cities: city → province → region → *', () => {
    expect(all(chinaCityHierarchy, '深圳市')).toEqual(['深圳市', '广东省', '华南', '*']);
    expect(all(chinaCityHierarchy, '广东省广州市')).toEqual(['广东省广州市', '广东省', '华南', '*']);
    expect(all(chinaCityHierarchy, '重庆')).toEqual(['重庆', '重庆市', '西南', '*']);
    expect(all(chinaCityHierarchy, '某市')).toEqual(['某市', '*', '*', '*']);
  });

  it('reads a city without its suffix only after a province', () => {
    expect(parsePlace('广东中山市石岐区').city).toBe('广东省中山市');
    expect(parsePlace('中山路').province).toBeUndefined();
    expect(matchCityPrefix('宁波市海曙区')?.city.provinceCode).toBe('33');
    expect(matchCityPrefix('宁波', '44')).toBeUndefined();
  });
});

describe('resident ID hierarchy', () => {
  it('generalises to region + birth year, then province + birth decade, then *', () => {
    const id = residentId('44030519900517123');
    expect(all(residentIdHierarchy, id)).toEqual([id, '440305/1990', '广东省/1990-1999', '*']);
    const beijing = residentId('11010519851231002');
    expect(all(residentIdHierarchy, beijing.toLowerCase())).toEqual([beijing, '110105/1985', '北京市/1980-1989', '*']);
  });

  it('puts invalid numbers at * above level 0', () => {
    const valid = residentId('44030519900517123');
    const wrongCheck = valid.slice(0, 17) + (valid.endsWith('1') ? '2' : '1');
    expect(all(residentIdHierarchy, wrongCheck).slice(1)).toEqual(['*', '*', '*']);
    expect(all(residentIdHierarchy, '4403051990').slice(1)).toEqual(['*', '*', '*']);
  });
});

describe('table hierarchies', () => {
  it('looks values up and puts unknown values at *', () => {
    const h = tableHierarchy('marital', [
      ['已婚', '有配偶', '*'],
      ['丧偶', '无配偶', '*'],
      ['未婚', '无配偶', '*'],
    ]);
    expect(all(h, '丧偶')).toEqual(['丧偶', '无配偶', '*']);
    expect(all(h, '离异')).toEqual(['离异', '*', '*']);
  });

  it('refuses rows that are not functional, ragged or repeated', () => {
    expect(() =>
      tableHierarchy('bad', [
        ['a', 'x', 'p', '*'],
        ['b', 'x', 'q', '*'],
      ]),
    ).toThrow(/both/);
    expect(() => tableHierarchy('bad', [['a', '*'], ['b']])).toThrow(/labels/);
    expect(() =>
      tableHierarchy('bad', [
        ['a', '*'],
        ['a', '*'],
      ]),
    ).toThrow(/twice/);
  });

  it('ships the Adult hierarchies with the depths of ARX (6,480 nodes)', () => {
    const depths = ADULT_QUASI_IDENTIFIERS.map((c) => adultHierarchies[c].levels);
    expect(depths).toEqual([5, 4, 3, 3, 2, 2, 3, 3]);
    expect(depths.reduce((a, b) => a * b, 1)).toBe(6480);
    expect(all(adultHierarchies.education, 'Masters')).toEqual(['Masters', 'Graduate', 'Higher education', '*']);
    expect(all(adultHierarchies['native-country'], 'China')).toEqual(['China', 'Asia', '*']);
    expect(adultDomains['native-country']).toHaveLength(41);
    expect(adultDomains.education).toHaveLength(16);
  });

  it('lists the built-in hierarchies', () => {
    expect(Object.keys(builtinHierarchies).sort()).toEqual(['age', 'cn_address', 'cn_city', 'cn_resident_id', 'date']);
  });
});
