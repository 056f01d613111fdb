/**
 * The Debian packages code-server's native modules build against, plus the
 * ripgrep binary it searches with and the Chromium that drives it. CI runs as
 * root on a possibly fresh machine, so a missing package is installed there.
 */
import { execFileSync } from 'node:child_process';
import { log, runCommand } from './processes.ts';

export const DEBIAN_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium'] as const;

function isInstalled(pkg: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
  } catch {
    return false;
  }
}

export async function ensureDebianPackages(): Promise<void> {
  const missing = DEBIAN_PACKAGES.filter((p) => !isInstalled(p));
  if (missing.length === 0) {
    log(`Debian packages present: ${DEBIAN_PACKAGES.join(' ')}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; run: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('running: apt-get update');
  await runCommand('apt-get', ['update'], { env, timeoutMs: 5 * 60_000 });
  log(`running: apt-get install -y ${missing.join(' ')}`);
  await runCommand('apt-get', ['install', '-y', ...missing], { env, timeoutMs: 10 * 60_000 });
  const still = missing.filter((p) => !isInstalled(p));
  if (still.length > 0) throw new Error(`apt-get did not install: ${still.join(' ')}`);
  log('Debian packages installed');
}
