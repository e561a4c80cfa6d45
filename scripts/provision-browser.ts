/**
 * The dashboard's browser test runs Debian's Chromium (no browser download: the machine has
 * no internet beyond the package registries). Installs it with apt when missing and root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

export function findChromium(): string | undefined {
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}

/** A font with Chinese glyphs, so screenshots of the dashboard show text, not boxes. */
function hasChineseFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let chromium = findChromium();
  const missing = [...(chromium ? [] : ['chromium']), ...(hasChineseFont() ? [] : ['fonts-noto-cjk'])];
  if (missing.length && typeof process.getuid === 'function' && process.getuid() === 0) {
    console.log(`[careflow] installing ${missing.join(', ')} for the dashboard browser test (apt-get) ...`);
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      // reported below
    }
    chromium = findChromium();
  }
  console.log(chromium ? `[careflow] chromium: ${chromium}` : '[careflow] chromium: not found; install Debian\'s chromium or set CHROMIUM_PATH (the browser test will fail)');
}
