/**
 * Province-level divisions of China (GB/T 2260 first two digits) with zh/en names and the
 * forms recognised at the start of an address. The full GB/T 2260 county table is not shipped:
 * resident IDs are checked for a valid province prefix and a structurally valid region code.
 */
export type ProvinceKind = 'province' | 'municipality' | 'autonomous_region' | 'sar';

export interface ChinaProvince {
  /** Two-digit code, e.g. '44'. */
  readonly code: string;
  /** Official Chinese name, e.g. '广东省'. */
  readonly zh: string;
  /** English name, e.g. 'Guangdong'. */
  readonly en: string;
  readonly kind: ProvinceKind;
  /** Recognised forms, official name first, e.g. ['广东省', '广东']. */
  readonly names: readonly string[];
  /** True when the province is itself the city (municipalities, Hong Kong, Macao). */
  readonly isCity: boolean;
}

function p(code: string, zh: string, en: string, kind: ProvinceKind, ...short: string[]): ChinaProvince {
  const isCity = kind === 'municipality' || kind === 'sar';
  return Object.freeze({ code, zh, en, kind, names: Object.freeze([zh, ...short]), isCity });
}

export const chinaProvinces: readonly ChinaProvince[] = Object.freeze([
  p('11', '北京市', 'Beijing', 'municipality', '北京'),
  p('12', '天津市', 'Tianjin', 'municipality', '天津'),
  p('13', '河北省', 'Hebei', 'province', '河北'),
  p('14', '山西省', 'Shanxi', 'province', '山西'),
  p('15', '内蒙古自治区', 'Inner Mongolia', 'autonomous_region', '内蒙古'),
  p('21', '辽宁省', 'Liaoning', 'province', '辽宁'),
  p('22', '吉林省', 'Jilin', 'province', '吉林'),
  p('23', '黑龙江省', 'Heilongjiang', 'province', '黑龙江'),
  p('31', '上海市', 'Shanghai', 'municipality', '上海'),
  p('32', '江苏省', 'Jiangsu', 'province', '江苏'),
  p('33', '浙江省', 'Zhejiang', 'province', '浙江'),
  p('34', '安徽省', 'Anhui', 'province', '安徽'),
  p('35', '福建省', 'Fujian', 'province', '福建'),
  p('36', '江西省', 'Jiangxi', 'province', '江西'),
  p('37', '山东省', 'Shandong', 'province', '山东'),
  p('41', '河南省', 'Henan', 'province', '河南'),
  p('42', '湖北省', 'Hubei', 'province', '湖北'),
  p('43', '湖南省', 'Hunan', 'province', '湖南'),
  p('44', '广东省', 'Guangdong', 'province', '广东'),
  p('45', '广西壮族自治区', 'Guangxi', 'autonomous_region', '广西自治区', '广西'),
  p('46', '海南省', 'Hainan', 'province', '海南'),
  p('50', '重庆市', 'Chongqing', 'municipality', '重庆'),
  p('51', '四川省', 'Sichuan', 'province', '四川'),
  p('52', '贵州省', 'Guizhou', 'province', '贵州'),
  p('53', '云南省', 'Yunnan', 'province', '云南'),
  p('54', '西藏自治区', 'Xizang (Tibet)', 'autonomous_region', '西藏'),
  p('61', '陕西省', 'Shaanxi', 'province', '陕西'),
  p('62', '甘肃省', 'Gansu', 'province', '甘肃'),
  p('63', '青海省', 'Qinghai', 'province', '青海'),
  p('64', '宁夏回族自治区', 'Ningxia', 'autonomous_region', '宁夏自治区', '宁夏'),
  p('65', '新疆维吾尔自治区', 'Xinjiang', 'autonomous_region', '新疆自治区', '新疆'),
  p('71', '台湾省', 'Taiwan', 'province', '台湾'),
  p('81', '香港特别行政区', 'Hong Kong', 'sar', '香港特区', '香港'),
  p('82', '澳门特别行政区', 'Macao', 'sar', '澳门特区', '澳门'),
]);

const byCode = new Map<string, ChinaProvince>(chinaProvinces.map((x) => [x.code, x]));
/** Index = two-digit code as a number; 1 when valid. */
const validCodeFlags = new Uint8Array(100);
for (const x of chinaProvinces) validCodeFlags[Number(x.code)] = 1;

/** The province for a two-digit code, or undefined. */
export function getProvince(code: string): ChinaProvince | undefined {
  return byCode.get(code);
}

/** True when the two-digit number is a province-level code (11-15, 21-23, ..., 71, 81, 82). */
export function isProvinceCodeNumber(code: number): boolean {
  return code >= 0 && code < 100 && validCodeFlags[code] === 1;
}

export interface ProvinceMatch {
  /** The recognised text at the start of the address (e.g. '广东' or '广东省'). */
  readonly name: string;
  readonly province: ChinaProvince;
}

/** Recognised names keyed by their first character, longest name first. */
const namesByFirstChar = new Map<string, ProvinceMatch[]>();
for (const province of chinaProvinces) {
  for (const name of province.names) {
    const first = name.charAt(0);
    let list = namesByFirstChar.get(first);
    if (!list) namesByFirstChar.set(first, (list = []));
    list.push(Object.freeze({ name, province }));
  }
}
for (const list of namesByFirstChar.values()) list.sort((a, b) => b.name.length - a.name.length);

/** The province named at the start of `text` (longest recognised form), or undefined. */
export function matchProvincePrefix(text: string): ProvinceMatch | undefined {
  const list = namesByFirstChar.get(text.charAt(0));
  if (!list) return undefined;
  for (const entry of list) {
    if (text.startsWith(entry.name)) return entry;
  }
  return undefined;
}
