import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';

describe('configuration (src/config.ts)', () => {
  it('has working defaults for npm start', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'careflow' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CENTRAL_URBAN_DISTRICTS).toEqual(['410402', '410403', '410411']);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['SMTP_URL', 'localhost:25'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['CAREFLOW_DATA_KEY', 'c2hvcnQ='],
    ['CENTRAL_URBAN_DISTRICTS', '410402,4104'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('takes the central urban districts as a list (M1 enclave toggle)', () => {
    expect(parseConfig({ CENTRAL_URBAN_DISTRICTS: '410402, 410403,410411,410404' }).CENTRAL_URBAN_DISTRICTS).toEqual([
      '410402',
      '410403',
      '410411',
      '410404',
    ]);
  });

  it('requires a data key in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/CAREFLOW_DATA_KEY/);
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(parseConfig({ NODE_ENV: 'production', CAREFLOW_DATA_KEY: key }).CAREFLOW_DATA_KEY).toBe(key);
  });
});
