// Reproducible Adult-like records for the k-anonymity benchmark (bench/kanon-search.bench.mjs)
// and anyone who wants a realistic quasi-identifier table without downloading the UCI data.
//
// Columns and value sets are those of the UCI Adult data set's eight quasi-identifiers (age,
// education, marital-status, native-country, race, sex, workclass, occupation), as in the
// cleaned 30,162-row version ARX benchmarks on (no '?' values). The value sets come from core's
// Adult hierarchies (adultDomains); every generated value is checked against them.
//
// Joint distribution: the records are drawn column by column, each conditioned on the ones
// before it, with marginals close to the real data (sex 68/32; race 86% White, 9% Black, 3%
// Asian-Pac-Islander; native-country 91% United-States; education 33% HS-grad, 22% Some-college,
// 17% Bachelors; marital-status 47% Married-civ-spouse, 32% Never-married; workclass 74%
// Private; 14 occupations of 3-13% each; age 17-90, mean ~38, skewed right):
//   sex → age (5-year band weights, uniform inside the band) → race → native-country | race
//   (e.g. Asian-Pac-Islander: Philippines, India, China, ...; Black: Jamaica, Haiti, ...)
//   → education | age, country (teenagers in 10th-12th/HS-grad, older and non-US people with
//   less schooling) → marital-status | age, sex → workclass | education, age → occupation |
//   sex, education, workclass (e.g. graduates in Prof-specialty/Exec-managerial, women in
//   Adm-clerical, government in Protective-serv).
// The PRNG is sfc32 seeded from a 32-bit seed (splitmix32), so a seed gives the same rows on
// every machine and Node version.

import { adultDomains } from '@custos/core';

/** splitmix32 → sfc32: a small, fast, well-distributed PRNG; returns floats in [0, 1). */
export function seededRandom(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** Draws a key of `weights` (an object key → weight ≥ 0) with probability proportional to its weight. */
function pick(rand, weights) {
  let total = 0;
  for (const k in weights) total += weights[k];
  let x = rand() * total;
  let last;
  for (const k in weights) {
    last = k;
    x -= weights[k];
    if (x < 0) return k;
  }
  return last;
}

/** `base` with some weights multiplied. */
function adjust(base, factors) {
  const out = { ...base };
  for (const k in factors) if (k in out) out[k] *= factors[k];
  return out;
}

const SEX = { Male: 0.676, Female: 0.324 };

// Share of each 5-year age band (17-19 is a 3-year band; 80-90 the tail).
const AGE_BANDS = [
  [17, 19, 5.5],
  [20, 24, 10.5],
  [25, 29, 12.3],
  [30, 34, 13.0],
  [35, 39, 12.9],
  [40, 44, 11.7],
  [45, 49, 10.0],
  [50, 54, 7.6],
  [55, 59, 5.6],
  [60, 64, 4.2],
  [65, 69, 2.6],
  [70, 74, 1.2],
  [75, 79, 0.6],
  [80, 90, 0.45],
];

const RACE = { White: 0.86, Black: 0.093, 'Asian-Pac-Islander': 0.03, 'Amer-Indian-Eskimo': 0.0095, Other: 0.0077 };

const COUNTRY_BY_RACE = {
  White: {
    'United-States': 0.925,
    Mexico: 0.022,
    Germany: 0.005,
    Canada: 0.004,
    England: 0.003,
    Cuba: 0.003,
    'El-Salvador': 0.003,
    'Puerto-Rico': 0.003,
    Italy: 0.0025,
    Poland: 0.002,
    'Dominican-Republic': 0.002,
    Guatemala: 0.002,
    Columbia: 0.0018,
    Portugal: 0.0011,
    Greece: 0.001,
    Iran: 0.001,
    Nicaragua: 0.001,
    France: 0.0009,
    Peru: 0.0009,
    Ecuador: 0.0009,
    Ireland: 0.0008,
    Yugoslavia: 0.0005,
    Hungary: 0.0004,
    Scotland: 0.0004,
    Honduras: 0.0004,
    'Holand-Netherlands': 0.00005,
  },
  Black: {
    'United-States': 0.93,
    Jamaica: 0.025,
    Haiti: 0.015,
    'Trinadad&Tobago': 0.006,
    'Dominican-Republic': 0.004,
    'Puerto-Rico': 0.004,
    'Outlying-US(Guam-USVI-etc)': 0.003,
    England: 0.003,
    Cuba: 0.002,
    Columbia: 0.001,
  },
  'Asian-Pac-Islander': {
    'United-States': 0.4,
    Philippines: 0.19,
    India: 0.09,
    China: 0.07,
    Vietnam: 0.06,
    South: 0.06,
    Japan: 0.05,
    Taiwan: 0.04,
    Hong: 0.02,
    Cambodia: 0.015,
    Laos: 0.015,
    Thailand: 0.015,
    'Outlying-US(Guam-USVI-etc)': 0.01,
    Iran: 0.005,
  },
  'Amer-Indian-Eskimo': { 'United-States': 0.97, Mexico: 0.02, Canada: 0.01 },
  Other: {
    'United-States': 0.5,
    Mexico: 0.25,
    'Puerto-Rico': 0.08,
    Columbia: 0.04,
    'Dominican-Republic': 0.04,
    'El-Salvador': 0.03,
    Guatemala: 0.02,
    Peru: 0.02,
    Ecuador: 0.02,
  },
};

const EDUCATION = {
  'HS-grad': 32.6,
  'Some-college': 22.1,
  Bachelors: 16.7,
  Masters: 5.4,
  'Assoc-voc': 4.3,
  '11th': 3.5,
  'Assoc-acdm': 3.3,
  '10th': 2.7,
  '7th-8th': 1.9,
  'Prof-school': 1.8,
  '9th': 1.5,
  '12th': 1.2,
  Doctorate: 1.2,
  '5th-6th': 0.9,
  '1st-4th': 0.5,
  Preschool: 0.15,
};
const TEEN_EDUCATION = { '11th': 30, '12th': 15, '10th': 15, 'HS-grad': 20, 'Some-college': 18, '9th': 2 };
const PRIMARY = ['Preschool', '1st-4th', '5th-6th', '7th-8th'];
const HIGHER = ['Bachelors', 'Masters', 'Doctorate', 'Prof-school'];
const LOWER = ['Preschool', '1st-4th', '5th-6th', '7th-8th', '9th', '10th', '11th', '12th'];

const MARITAL_BY_AGE = [
  [24, { 'Never-married': 0.85, 'Married-civ-spouse': 0.1, Divorced: 0.03, Separated: 0.015, 'Married-spouse-absent': 0.005 }],
  [
    34,
    {
      'Married-civ-spouse': 0.45,
      'Never-married': 0.38,
      Divorced: 0.11,
      Separated: 0.035,
      'Married-spouse-absent': 0.015,
      Widowed: 0.005,
      'Married-AF-spouse': 0.002,
    },
  ],
  [
    54,
    {
      'Married-civ-spouse': 0.58,
      Divorced: 0.2,
      'Never-married': 0.13,
      Separated: 0.04,
      Widowed: 0.03,
      'Married-spouse-absent': 0.015,
      'Married-AF-spouse': 0.001,
    },
  ],
  [
    200,
    { 'Married-civ-spouse': 0.58, Widowed: 0.17, Divorced: 0.14, 'Never-married': 0.06, Separated: 0.03, 'Married-spouse-absent': 0.015 },
  ],
];
const FEMALE_MARITAL = { 'Married-civ-spouse': 0.4, Divorced: 1.9, Widowed: 3, 'Never-married': 1.4, Separated: 1.8 };

const WORKCLASS = {
  Private: 0.738,
  'Self-emp-not-inc': 0.083,
  'Local-gov': 0.068,
  'State-gov': 0.042,
  'Self-emp-inc': 0.036,
  'Federal-gov': 0.031,
  'Without-pay': 0.0005,
  'Never-worked': 0.0002,
};
const GOV = ['Federal-gov', 'Local-gov', 'State-gov'];

const OCCUPATION = {
  'Prof-specialty': 13.4,
  'Craft-repair': 13.3,
  'Exec-managerial': 13.2,
  'Adm-clerical': 12.3,
  Sales: 11.9,
  'Other-service': 10.6,
  'Machine-op-inspct': 6.5,
  'Transport-moving': 5.2,
  'Handlers-cleaners': 4.5,
  'Farming-fishing': 3.3,
  'Tech-support': 3.0,
  'Protective-serv': 2.1,
  'Priv-house-serv': 0.5,
  'Armed-Forces': 0.03,
};

function drawAge(rand) {
  const band = AGE_BANDS[Number(pick(rand, Object.fromEntries(AGE_BANDS.map((b, i) => [i, b[2]]))))];
  return band[0] + Math.floor(rand() * (band[1] - band[0] + 1));
}

function drawEducation(rand, age, country) {
  if (age < 20) return pick(rand, TEEN_EDUCATION);
  let w = EDUCATION;
  if (age < 25) w = adjust(w, { 'Some-college': 1.8, Bachelors: 0.7, Masters: 0.2, Doctorate: 0.05, 'Prof-school': 0.1 });
  if (age >= 60) w = adjust(w, { '7th-8th': 3, '5th-6th': 2, '1st-4th': 2, '9th': 1.5, 'Some-college': 0.8 });
  if (country !== 'United-States') w = adjust(w, Object.fromEntries([...PRIMARY.map((e) => [e, 3]), ['Preschool', 4]]));
  return pick(rand, w);
}

function drawMarital(rand, age, sex) {
  const w = MARITAL_BY_AGE.find(([max]) => age <= max)[1];
  return pick(rand, sex === 'Female' ? adjust(w, FEMALE_MARITAL) : w);
}

function drawWorkclass(rand, age, education) {
  let w = WORKCLASS;
  if (['Masters', 'Doctorate', 'Prof-school'].includes(education)) {
    w = adjust(w, { ...Object.fromEntries(GOV.map((g) => [g, 2])), 'Self-emp-inc': 2, Private: 0.8 });
  }
  if (age >= 50) w = adjust(w, { 'Self-emp-not-inc': 1.8, 'Self-emp-inc': 1.8 });
  if (age < 20) w = adjust(w, { Private: 1.2, ...Object.fromEntries(GOV.map((g) => [g, 0.3])) });
  return pick(rand, w);
}

function drawOccupation(rand, sex, education, workclass) {
  let w = OCCUPATION;
  if (HIGHER.includes(education)) {
    w = adjust(w, {
      'Prof-specialty': 3,
      'Exec-managerial': 2.5,
      'Tech-support': 1.2,
      'Craft-repair': 0.3,
      'Handlers-cleaners': 0.15,
      'Machine-op-inspct': 0.2,
      'Other-service': 0.3,
      'Farming-fishing': 0.3,
      'Transport-moving': 0.3,
    });
  } else if (LOWER.includes(education)) {
    w = adjust(w, {
      'Prof-specialty': 0.15,
      'Exec-managerial': 0.3,
      'Craft-repair': 1.5,
      'Machine-op-inspct': 2,
      'Handlers-cleaners': 2,
      'Other-service': 2,
      'Farming-fishing': 2,
      'Transport-moving': 1.5,
    });
  }
  if (sex === 'Female') {
    w = adjust(w, {
      'Adm-clerical': 2.5,
      'Other-service': 1.8,
      'Prof-specialty': 1.1,
      'Priv-house-serv': 5,
      'Craft-repair': 0.12,
      'Transport-moving': 0.12,
      'Farming-fishing': 0.2,
      'Protective-serv': 0.3,
      'Handlers-cleaners': 0.3,
      'Machine-op-inspct': 0.7,
      'Exec-managerial': 0.8,
      'Armed-Forces': 0,
    });
  } else {
    w = adjust(w, { 'Adm-clerical': 0.6, 'Craft-repair': 1.4, 'Priv-house-serv': 0.1 });
  }
  if (GOV.includes(workclass)) w = adjust(w, { 'Protective-serv': 4, 'Adm-clerical': 1.5, 'Prof-specialty': 1.5 });
  if (workclass === 'Federal-gov') w = adjust(w, { 'Armed-Forces': 20 });
  if (workclass.startsWith('Self-emp')) w = adjust(w, { 'Farming-fishing': 3, 'Craft-repair': 1.3, Sales: 1.3, 'Exec-managerial': 1.5 });
  return pick(rand, w);
}

/**
 * `count` Adult-like records from `seed`: { age (a string, 17-90), education, 'marital-status',
 * 'native-country', race, sex, workclass, occupation }.
 */
export function generateAdult(count, seed) {
  const rand = seededRandom(seed);
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    const sex = pick(rand, SEX);
    const age = drawAge(rand);
    const race = pick(rand, RACE);
    const country = pick(rand, COUNTRY_BY_RACE[race]);
    const education = drawEducation(rand, age, country);
    const marital = drawMarital(rand, age, sex);
    const workclass = drawWorkclass(rand, age, education);
    const occupation = drawOccupation(rand, sex, education, workclass);
    rows[i] = {
      age: String(age),
      education,
      'marital-status': marital,
      'native-country': country,
      race,
      sex,
      workclass,
      occupation,
    };
  }
  return rows;
}

/** Throws when a generated value is not in core's Adult value sets (the generator and the hierarchies must agree). */
export function checkAdultDomains(rows) {
  const sets = Object.fromEntries(Object.entries(adultDomains).map(([k, v]) => [k, new Set(v)]));
  for (const row of rows) {
    for (const [col, set] of Object.entries(sets)) {
      if (!set.has(row[col])) throw new Error(`generated ${col} value '${row[col]}' is not in the Adult value set`);
    }
    const age = Number(row.age);
    if (!Number.isInteger(age) || age < 17 || age > 90) throw new Error(`generated age ${row.age} is outside 17-90`);
  }
}
