// Valid, realistic PI values for the vault benchmarks (category codes from
// packages/core/migrations/0002_catalogue_seed.sql). Shared by vault-create and vault-find.
import { residentIdCheckChar } from '@custos/core';

/** The ten fields of a benchmark customer and their PI types. */
export const FIELD_TYPES = {
  name: 'person_name',
  gender: 'text',
  date_of_birth: 'date',
  resident_id: 'cn_resident_id',
  mobile: 'cn_mobile',
  landline: 'cn_landline',
  email: 'email',
  address: 'address',
  bank_card: 'bank_card',
  preferences: 'text',
};
/** The fields with a blind index. */
export const INDEXED = new Set(['resident_id', 'mobile', 'email']);

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '欧阳', '司马'];
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅建国志飞';
const PLACES = [
  ['110105', '北京市朝阳区', '010'],
  ['310104', '上海市徐汇区', '021'],
  ['440305', '广东省深圳市南山区', '0755'],
  ['330106', '浙江省杭州市西湖区', '0571'],
  ['510107', '四川省成都市武侯区', '028'],
  ['320106', '江苏省南京市鼓楼区', '025'],
];
const ROADS = ['科技园路', '建国路', '漕溪北路', '文三路', '人民南路', '中山北路', '天府大道'];

/** Append the Luhn check digit. */
export function luhnComplete(body) {
  let s = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    s += d;
  }
  return body + ((10 - (s % 10)) % 10);
}

/**
 * Value generators driven by `rnd(n)` (an integer in [0, n)): the caller chooses the source
 * (crypto.randomInt, or a fast PRNG for a million-customer fill).
 */
export function piValues(rnd) {
  const pick = (a) => a[rnd(a.length)];
  const digits = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += rnd(10);
    return s;
  };
  /** Ten valid values of one customer (resident ID, date of birth and gender agree). */
  function customerFields(mobile = `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`) {
    const [region, city, area] = pick(PLACES);
    const y = 1950 + rnd(56);
    const m = String(1 + rnd(12)).padStart(2, '0');
    const d = String(1 + rnd(28)).padStart(2, '0');
    const seq = String(rnd(1000)).padStart(3, '0');
    const body = `${region}${y}${m}${d}${seq}`;
    return {
      name: pick(SURNAMES) + GIVEN[rnd(GIVEN.length)] + (rnd(2) ? GIVEN[rnd(GIVEN.length)] : ''),
      gender: Number(seq[2]) % 2 === 1 ? '男' : '女',
      date_of_birth: `${y}-${m}-${d}`,
      resident_id: body + residentIdCheckChar(body),
      mobile,
      landline: `${area}-${1 + rnd(9)}${digits(area.length === 3 ? 7 : 6)}`,
      email: `${pick(['zhang', 'li.wei', 'chen_fang', 'wang.xm', 'liu.yang'])}${digits(6)}@${pick(['example.com', 'example.cn', 'mail.example.org'])}`,
      address: `${city}${pick(ROADS)}${1 + rnd(300)}号${rnd(2) ? `${1 + rnd(30)}栋${1 + rnd(30)}0${1 + rnd(8)}室` : ''}`,
      bank_card: luhnComplete(`62${digits(16)}`),
      preferences: pick(['偏好短信通知，周末联系', '电话回访，工作日 9:00-18:00', '电子账单，不接受营销', '偏好微信联系']),
    };
  }
  return { pick, digits, customerFields };
}
