/**
 * Chinese administrative divisions used by the generalisation hierarchies: the seven
 * geographical regions (七大地理分区) of every province-level division, and a list of cities
 * (prefecture level and above) with their province.
 *
 * Coverage of the city list: the four municipalities, all 27 provincial capitals and Taipei
 * (Hong Kong and Macao are cities through their province entry), the five cities specifically
 * designated in the state plan (计划单列市: 大连, 青岛, 宁波, 厦门, 深圳) and 50 other large
 * prefecture-level cities (87 in all).
 * Addresses that name their province are generalised correctly whatever the city (the city is
 * read from the address text); the list is only needed to place an address that starts with a
 * city and no province (e.g. `深圳市南山区...`), and to recognise a city named without its
 * `市` suffix (`广东深圳南山区`). Anything else falls to the next level (see hierarchies.ts).
 */
import { getProvince, type ChinaProvince } from '../../pi-types/provinces.js';

export const CHINA_REGIONS = ['华北', '东北', '华东', '华中', '华南', '西南', '西北'] as const;
export type ChinaRegion = (typeof CHINA_REGIONS)[number];

/**
 * Province code → geographical region. Taiwan is counted in 华东 and Hong Kong and Macao in 华南,
 * as in the usual seven-region division.
 */
export const PROVINCE_REGION: Readonly<Record<string, ChinaRegion>> = Object.freeze({
  '11': '华北',
  '12': '华北',
  '13': '华北',
  '14': '华北',
  '15': '华北',
  '21': '东北',
  '22': '东北',
  '23': '东北',
  '31': '华东',
  '32': '华东',
  '33': '华东',
  '34': '华东',
  '35': '华东',
  '36': '华东',
  '37': '华东',
  '71': '华东',
  '41': '华中',
  '42': '华中',
  '43': '华中',
  '44': '华南',
  '45': '华南',
  '46': '华南',
  '81': '华南',
  '82': '华南',
  '50': '西南',
  '51': '西南',
  '52': '西南',
  '53': '西南',
  '54': '西南',
  '61': '西北',
  '62': '西北',
  '63': '西北',
  '64': '西北',
  '65': '西北',
});

/** The region of a province code, or undefined for an unknown code. */
export function regionOfProvince(code: string): ChinaRegion | undefined {
  return PROVINCE_REGION[code];
}

export interface ChinaCity {
  /** Official name with its suffix, e.g. '深圳市'. */
  readonly name: string;
  /** Name without the suffix, e.g. '深圳'. */
  readonly short: string;
  /** Two-digit province code. */
  readonly provinceCode: string;
  readonly capital: boolean;
}

function c(provinceCode: string, short: string, capital = false): ChinaCity {
  return Object.freeze({ name: `${short}市`, short, provinceCode, capital });
}

/** The shipped city list (see the coverage note at the top of this file). */
export const CHINA_CITIES: readonly ChinaCity[] = Object.freeze([
  // Municipalities and SARs: the province-level division is the city.
  c('11', '北京', true),
  c('12', '天津', true),
  c('31', '上海', true),
  c('50', '重庆', true),
  // Provincial capitals.
  c('13', '石家庄', true),
  c('14', '太原', true),
  c('15', '呼和浩特', true),
  c('21', '沈阳', true),
  c('22', '长春', true),
  c('23', '哈尔滨', true),
  c('32', '南京', true),
  c('33', '杭州', true),
  c('34', '合肥', true),
  c('35', '福州', true),
  c('36', '南昌', true),
  c('37', '济南', true),
  c('41', '郑州', true),
  c('42', '武汉', true),
  c('43', '长沙', true),
  c('44', '广州', true),
  c('45', '南宁', true),
  c('46', '海口', true),
  c('51', '成都', true),
  c('52', '贵阳', true),
  c('53', '昆明', true),
  c('54', '拉萨', true),
  c('61', '西安', true),
  c('62', '兰州', true),
  c('63', '西宁', true),
  c('64', '银川', true),
  c('65', '乌鲁木齐', true),
  c('71', '台北', true),
  // Cities specifically designated in the state plan.
  c('21', '大连'),
  c('37', '青岛'),
  c('33', '宁波'),
  c('35', '厦门'),
  c('44', '深圳'),
  // Other large prefecture-level cities.
  c('13', '唐山'),
  c('13', '保定'),
  c('13', '邯郸'),
  c('14', '大同'),
  c('15', '包头'),
  c('15', '鄂尔多斯'),
  c('21', '鞍山'),
  c('23', '大庆'),
  c('23', '齐齐哈尔'),
  c('32', '苏州'),
  c('32', '无锡'),
  c('32', '常州'),
  c('32', '南通'),
  c('32', '徐州'),
  c('32', '扬州'),
  c('33', '温州'),
  c('33', '绍兴'),
  c('33', '嘉兴'),
  c('33', '金华'),
  c('33', '台州'),
  c('34', '芜湖'),
  c('35', '泉州'),
  c('36', '赣州'),
  c('37', '烟台'),
  c('37', '潍坊'),
  c('37', '临沂'),
  c('37', '淄博'),
  c('41', '洛阳'),
  c('41', '南阳'),
  c('42', '宜昌'),
  c('42', '襄阳'),
  c('43', '株洲'),
  c('43', '岳阳'),
  c('44', '东莞'),
  c('44', '佛山'),
  c('44', '珠海'),
  c('44', '惠州'),
  c('44', '中山'),
  c('44', '汕头'),
  c('45', '桂林'),
  c('45', '柳州'),
  c('46', '三亚'),
  c('51', '绵阳'),
  c('52', '遵义'),
  c('53', '曲靖'),
  c('61', '宝鸡'),
  c('61', '咸阳'),
  c('61', '榆林'),
  c('62', '天水'),
  c('65', '克拉玛依'),
]);

/** City entries keyed by their first character, longest short name first. */
const citiesByFirstChar = new Map<string, ChinaCity[]>();
for (const city of CHINA_CITIES) {
  const first = city.short.charAt(0);
  let list = citiesByFirstChar.get(first);
  if (!list) citiesByFirstChar.set(first, (list = []));
  list.push(city);
}
for (const list of citiesByFirstChar.values()) list.sort((a, b) => b.short.length - a.short.length);

/**
 * The listed city named at the start of `text` (`深圳市...` or `深圳...`), with the length of the
 * matched text (the suffix `市` is included when present). `provinceCode` restricts the match.
 */
export function matchCityPrefix(text: string, provinceCode?: string): { city: ChinaCity; length: number } | undefined {
  const list = citiesByFirstChar.get(text.charAt(0));
  if (!list) return undefined;
  for (const city of list) {
    if (provinceCode !== undefined && city.provinceCode !== provinceCode) continue;
    if (text.startsWith(city.name)) return { city, length: city.name.length };
    if (text.startsWith(city.short)) return { city, length: city.short.length };
  }
  return undefined;
}

/** The province of a listed city. */
export function provinceOfCity(city: ChinaCity): ChinaProvince {
  const p = getProvince(city.provinceCode);
  if (p === undefined) throw new Error(`city ${city.name} has an unknown province code ${city.provinceCode}`);
  return p;
}
