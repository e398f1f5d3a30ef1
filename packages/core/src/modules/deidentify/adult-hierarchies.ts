/**
 * Generalisation hierarchies for the eight quasi-identifiers of the UCI Adult data set, with the
 * depths of ARX's published Adult hierarchies (data/adult_hierarchy_*.csv in the ARX
 * repository), so the lattice has the same size as ARX's 8-QI Adult benchmark:
 *
 * | column | levels | level 1 | level 2 | level 3 | level 4 |
 * |---|---|---|---|---|---|
 * | age | 5 | 5-year band | 10-year band | 20-year band | * |
 * | education | 4 | school type | primary/secondary/higher | * | |
 * | marital-status | 3 | spouse present / not | * | | |
 * | native-country | 3 | continent | * | | |
 * | race | 2 | * | | | |
 * | sex | 2 | * | | | |
 * | workclass | 3 | government / non-government / unemployed | * | | |
 * | occupation | 3 | technical / non-technical / other | * | | |
 *
 * 5 × 4 × 3 × 3 × 2 × 2 × 3 × 3 = 6,480 generalisation nodes. The category groupings follow
 * ARX's tables (one spelling fixed: England is in Europe). Age bands are aligned at 0 (35-39),
 * where ARX's file labels 36-40 as 35-39; the depth and the band widths are the same.
 * Used by the k-anonymity benchmark and as an example of table hierarchies.
 */
import { ANY, intervalHierarchy, tableDomain, tableHierarchy, type Hierarchy } from './hierarchies.js';

const EDUCATION: readonly (readonly string[])[] = [
  ['Bachelors', 'Undergraduate', 'Higher education', ANY],
  ['Some-college', 'Undergraduate', 'Higher education', ANY],
  ['11th', 'High School', 'Secondary education', ANY],
  ['HS-grad', 'High School', 'Secondary education', ANY],
  ['Prof-school', 'Professional Education', 'Higher education', ANY],
  ['Assoc-acdm', 'Professional Education', 'Higher education', ANY],
  ['Assoc-voc', 'Professional Education', 'Higher education', ANY],
  ['9th', 'High School', 'Secondary education', ANY],
  ['7th-8th', 'High School', 'Secondary education', ANY],
  ['12th', 'High School', 'Secondary education', ANY],
  ['Masters', 'Graduate', 'Higher education', ANY],
  ['1st-4th', 'Primary School', 'Primary education', ANY],
  ['10th', 'High School', 'Secondary education', ANY],
  ['Doctorate', 'Graduate', 'Higher education', ANY],
  ['5th-6th', 'Primary School', 'Primary education', ANY],
  ['Preschool', 'Primary School', 'Primary education', ANY],
];

const MARITAL_STATUS: readonly (readonly string[])[] = [
  ['Married-civ-spouse', 'spouse present', ANY],
  ['Divorced', 'spouse not present', ANY],
  ['Never-married', 'spouse not present', ANY],
  ['Separated', 'spouse not present', ANY],
  ['Widowed', 'spouse not present', ANY],
  ['Married-spouse-absent', 'spouse not present', ANY],
  ['Married-AF-spouse', 'spouse present', ANY],
];

const NATIVE_COUNTRY: readonly (readonly string[])[] = [
  ['United-States', 'North America', ANY],
  ['Cambodia', 'Asia', ANY],
  ['England', 'Europe', ANY],
  ['Puerto-Rico', 'North America', ANY],
  ['Canada', 'North America', ANY],
  ['Germany', 'Europe', ANY],
  ['Outlying-US(Guam-USVI-etc)', 'North America', ANY],
  ['India', 'Asia', ANY],
  ['Japan', 'Asia', ANY],
  ['Greece', 'Europe', ANY],
  ['South', 'Africa', ANY],
  ['China', 'Asia', ANY],
  ['Cuba', 'North America', ANY],
  ['Iran', 'Asia', ANY],
  ['Honduras', 'North America', ANY],
  ['Philippines', 'Asia', ANY],
  ['Italy', 'Europe', ANY],
  ['Poland', 'Europe', ANY],
  ['Jamaica', 'North America', ANY],
  ['Vietnam', 'Asia', ANY],
  ['Mexico', 'North America', ANY],
  ['Portugal', 'Europe', ANY],
  ['Ireland', 'Europe', ANY],
  ['France', 'Europe', ANY],
  ['Dominican-Republic', 'North America', ANY],
  ['Laos', 'Asia', ANY],
  ['Ecuador', 'South America', ANY],
  ['Taiwan', 'Asia', ANY],
  ['Haiti', 'North America', ANY],
  ['Columbia', 'South America', ANY],
  ['Hungary', 'Europe', ANY],
  ['Guatemala', 'North America', ANY],
  ['Nicaragua', 'South America', ANY],
  ['Scotland', 'Europe', ANY],
  ['Thailand', 'Asia', ANY],
  ['Yugoslavia', 'Europe', ANY],
  ['El-Salvador', 'North America', ANY],
  ['Trinadad&Tobago', 'South America', ANY],
  ['Peru', 'South America', ANY],
  ['Hong', 'Asia', ANY],
  ['Holand-Netherlands', 'Europe', ANY],
];

const RACE: readonly (readonly string[])[] = [
  ['White', ANY],
  ['Asian-Pac-Islander', ANY],
  ['Amer-Indian-Eskimo', ANY],
  ['Other', ANY],
  ['Black', ANY],
];

const SEX: readonly (readonly string[])[] = [
  ['Male', ANY],
  ['Female', ANY],
];

const WORKCLASS: readonly (readonly string[])[] = [
  ['Private', 'Non-Government', ANY],
  ['Self-emp-not-inc', 'Non-Government', ANY],
  ['Self-emp-inc', 'Non-Government', ANY],
  ['Federal-gov', 'Government', ANY],
  ['Local-gov', 'Government', ANY],
  ['State-gov', 'Government', ANY],
  ['Without-pay', 'Unemployed', ANY],
  ['Never-worked', 'Unemployed', ANY],
];

const OCCUPATION: readonly (readonly string[])[] = [
  ['Tech-support', 'Technical', ANY],
  ['Craft-repair', 'Technical', ANY],
  ['Other-service', 'Other', ANY],
  ['Sales', 'Nontechnical', ANY],
  ['Exec-managerial', 'Nontechnical', ANY],
  ['Prof-specialty', 'Technical', ANY],
  ['Handlers-cleaners', 'Nontechnical', ANY],
  ['Machine-op-inspct', 'Technical', ANY],
  ['Adm-clerical', 'Other', ANY],
  ['Farming-fishing', 'Other', ANY],
  ['Transport-moving', 'Other', ANY],
  ['Priv-house-serv', 'Other', ANY],
  ['Protective-serv', 'Other', ANY],
  ['Armed-Forces', 'Other', ANY],
];

/** The Adult quasi-identifier columns, in the order of ARX's benchmark. */
export const ADULT_QUASI_IDENTIFIERS = [
  'age',
  'education',
  'marital-status',
  'native-country',
  'race',
  'sex',
  'workclass',
  'occupation',
] as const;
export type AdultColumn = (typeof ADULT_QUASI_IDENTIFIERS)[number];

/** The hierarchy of each Adult quasi-identifier. */
export const adultHierarchies: Readonly<Record<AdultColumn, Hierarchy>> = Object.freeze({
  age: intervalHierarchy('adult.age', [5, 10, 20], { levelNames: ['age', '5_years', '10_years', '20_years', ANY] }),
  education: tableHierarchy('adult.education', EDUCATION, ['education', 'school', 'stage', ANY]),
  'marital-status': tableHierarchy('adult.marital-status', MARITAL_STATUS, ['marital-status', 'spouse', ANY]),
  'native-country': tableHierarchy('adult.native-country', NATIVE_COUNTRY, ['native-country', 'continent', ANY]),
  race: tableHierarchy('adult.race', RACE, ['race', ANY]),
  sex: tableHierarchy('adult.sex', SEX, ['sex', ANY]),
  workclass: tableHierarchy('adult.workclass', WORKCLASS, ['workclass', 'sector', ANY]),
  occupation: tableHierarchy('adult.occupation', OCCUPATION, ['occupation', 'kind', ANY]),
});

/** The value set of each categorical Adult column (age: integers 17-90 in the real data). */
export const adultDomains: Readonly<Record<Exclude<AdultColumn, 'age'>, readonly string[]>> = Object.freeze({
  education: tableDomain(EDUCATION),
  'marital-status': tableDomain(MARITAL_STATUS),
  'native-country': tableDomain(NATIVE_COUNTRY),
  race: tableDomain(RACE),
  sex: tableDomain(SEX),
  workclass: tableDomain(WORKCLASS),
  occupation: tableDomain(OCCUPATION),
});
