#!/usr/bin/env node
// Makes a fresh clone ready: npm packages, the compiled package, and (for the tests) the Debian
// packages of the real servers and tools the tests drive. Runs before `npm start` and `npm test`
// so that the README's two commands are all a new machine needs. Node built-ins only: it runs
// before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv.includes('--test') ? 'test' : 'runtime';

/** Debian packages the tests need, and a file each one provides (to tell if it is there). */
const TEST_PACKAGES = [
  { name: 'nginx', provides: '/usr/sbin/nginx' },
  { name: 'libnginx-mod-rtmp', provides: '/usr/lib/nginx/modules/ngx_rtmp_module.so' },
  { name: 'ffmpeg', provides: '/usr/bin/ffprobe' },
  // Browser tests drive Debian's Chromium through playwright-core: Playwright's own browser
  // download is not possible on these machines, and not needed.
  { name: 'chromium', provides: '/usr/bin/chromium' },
];

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function run(cmd, args) {
  log(`${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    log(`failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function newer(a, b) {
  return existsSync(a) && existsSync(b) && statSync(a).mtimeMs > statSync(b).mtimeMs;
}

// npm packages: install when missing or when the lockfile changed since the last install.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || newer(lock, installed)) run('npm', ['ci', '--no-audit', '--no-fund']);
else run('npm', ['run', '--silent', 'build']);

if (mode === 'test') {
  const missing = TEST_PACKAGES.filter((p) => !existsSync(p.provides)).map((p) => p.name);
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      log(`the tests need these Debian packages: ${missing.join(' ')}`);
      log(`install them with: sudo apt-get install -y ${missing.join(' ')}`);
      process.exit(1);
    }
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  }
  // The tests run through tsx, which does not check types: check them all (tests included) here.
  run('npm', ['run', '--silent', 'typecheck']);
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
  } catch {
    log('ffprobe does not run after installing ffmpeg');
    process.exit(1);
  }
}
