/**
 * Issue #13: a department's list as header + lines of cell text, from CSV (UTF-8 or
 * GB18030, detected) or XLSX (the first worksheet).
 * - exceljs 4.4.0: the maintained XLSX reader/writer (no native code);
 * - csv-parse 7.0.3: RFC 4180 quoting (a comma or newline inside a quoted address);
 * - iconv-lite 0.7.3: GB18030, which Chinese government systems export by default.
 */
import { isStorableText } from '../text-guard';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type FileFormat = 'csv' | 'xlsx';
export type FileEncoding = 'utf-8' | 'gb18030' | 'xlsx';

export interface ReadFile {
  format: FileFormat;
  encoding: FileEncoding;
  header: string[];
  /** Lines after the header; `line` counts the header as 1, as a spreadsheet shows it. */
  lines: { line: number; cells: string[] }[];
}

/** Why the file cannot be read at all (not a row problem), in Chinese. */
export class UnreadableFile extends Error {}

/** Limits one upload to what a county's department list can be. */
export const MAX_LINES = 50_000;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function formatOf(fileName: string, content: Buffer): FileFormat {
  if (ZIP_MAGIC.every((byte, index) => content[index] === byte)) return 'xlsx';
  if (/\.xlsx$/i.test(fileName)) throw new UnreadableFile('文件扩展名为 .xlsx，但内容不是 Excel 工作簿');
  if (/\.xls$/i.test(fileName)) throw new UnreadableFile('不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV');
  return 'csv';
}

/** UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else GB18030. */
export function decodeText(content: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(content);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(content, 'gb18030'), encoding: 'gb18030' };
  }
}

function readCsv(content: Buffer): ReadFile {
  const { text, encoding } = decodeText(content);
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new UnreadableFile(`CSV 格式错误：${(error as Error).message}`);
  }
  const [header, ...rest] = records;
  if (!header) throw new UnreadableFile('文件为空');
  return { format: 'csv', encoding, header, lines: rest.map((cells, index) => ({ line: index + 2, cells })) };
}

const pad2 = (value: number) => String(value).padStart(2, '0');

/** A cell as text: a date cell as YYYY-MM-DD (exceljs reads it as a UTC instant), a formula as its result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return `${value.getUTCFullYear()}-${pad2(value.getUTCMonth() + 1)}-${pad2(value.getUTCDate())}`;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    return '';
  }
  return String(value);
}

async function readXlsx(content: Buffer): Promise<ReadFile> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's own Buffer type predates Node 20's generic Buffer.
    await workbook.xlsx.load(content as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch {
    throw new UnreadableFile('无法读取 Excel 工作簿（文件损坏或不是 .xlsx）');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new UnreadableFile('工作簿中没有工作表');
  const rows: { line: number; cells: string[] }[] = [];
  sheet.eachRow((row, rowNumber) => {
    const values = Array.isArray(row.values) ? row.values.slice(1) : [];
    rows.push({ line: rowNumber, cells: Array.from(values, (value) => cellText(value as ExcelJS.CellValue).trim()) });
  });
  const [header, ...lines] = rows;
  if (!header) throw new UnreadableFile('工作表为空');
  return { format: 'xlsx', encoding: 'xlsx', header: header.cells, lines: lines.filter((line) => line.cells.some(Boolean)) };
}

export async function readDepartmentFile(fileName: string, content: Buffer): Promise<ReadFile> {
  const file = formatOf(fileName, content) === 'xlsx' ? await readXlsx(content) : readCsv(content);
  if (file.lines.length > MAX_LINES) throw new UnreadableFile(`文件行数超过上限 ${MAX_LINES}`);
  // The text guard (issue #11) cannot see inside an uploaded file: a NUL or a lone surrogate
  // in a cell would reach Postgres (jsonb refuses \u0000) and fail the upload with a 500.
  const bad = [{ line: 1, cells: file.header }, ...file.lines].find((row) => row.cells.some((cell) => !isStorableText(cell)));
  if (bad) throw new UnreadableFile(`第 ${bad.line} 行含有无法保存的字符（NUL 或不成对的代理项），请检查文件编码`);
  return file;
}
