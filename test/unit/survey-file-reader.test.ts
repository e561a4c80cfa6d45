/**
 * Issue #13: department files as they come: UTF-8 with or without BOM, GB18030, XLSX with
 * date cells and text IDs, an ID typed as a number (its digits lost), broken files.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, readDepartmentFile, UnreadableFile } from '../../src/api/surveys/file-reader';

describe('reading a department file', () => {
  it('detects UTF-8 (BOM dropped) and falls back to GB18030', () => {
    expect(decodeText(Buffer.from('\uFEFF姓名,性别\r\n', 'utf8'))).toEqual({ text: '姓名,性别\r\n', encoding: 'utf-8' });
    expect(decodeText(iconv.encode('姓名,性别\r\n张三,男\r\n', 'gb18030'))).toEqual({ text: '姓名,性别\r\n张三,男\r\n', encoding: 'gb18030' });
  });

  it('reads CSV quoting and numbers lines as a spreadsheet does', async () => {
    const file = await readDepartmentFile('a.csv', Buffer.from('姓名,居住地社区村\r\n张三,"幸福,东区"\r\n\r\n李四,光明\r\n', 'utf8'));
    expect(file).toMatchObject({ format: 'csv', header: ['姓名', '居住地社区村'], lines: [{ line: 2, cells: ['张三', '幸福,东区'] }, { line: 3, cells: ['李四', '光明'] }] });
  });

  it('reads XLSX: date cells as dates, text IDs intact, a numeric ID as the number it became', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['姓名', '出生日期', '公民身份号码']);
    sheet.addRow(['张三', new Date('2015-05-10T00:00:00Z'), '41010220150510123X']);
    sheet.addRow(['李四', '2016/1/2', 410102201601021230]);
    const file = await readDepartmentFile('list.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(file.format).toBe('xlsx');
    expect(file.lines[0]).toEqual({ line: 2, cells: ['张三', '2015-05-10', '41010220150510123X'] });
    // 18 digits do not fit a double: validation then reports a wrong check digit or format.
    expect(file.lines[1]?.cells[2]).not.toBe('410102201601021230');
  });

  it('refuses what it cannot read, in Chinese', async () => {
    await expect(readDepartmentFile('x.xlsx', Buffer.from('plain text'))).rejects.toBeInstanceOf(UnreadableFile);
    await expect(readDepartmentFile('x.xls', Buffer.from('plain text'))).rejects.toThrow('不支持旧版 .xls 格式');
    await expect(readDepartmentFile('x.csv', Buffer.alloc(0))).rejects.toThrow('文件为空');
    // A NUL in a cell (Postgres cannot store it): refused with the line, not a 500 later.
    await expect(readDepartmentFile('x.csv', Buffer.from('姓名,出生日期\n张三,2015-01-01\n李\u0000四,2016-02-02\n'))).rejects.toThrow('第 3 行含有无法保存的字符');
  });
});
