/** Where and with what the run happened: printed in the report so results can be reproduced. */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, arch, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Environment } from './results-types.ts';

function readVersion(pkgJson: string): string | null {
  try {
    const v = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

function vitestVersion(): string | null {
  try {
    // vitest's exports map hides package.json; walk up from its entry to find it.
    let dir = dirname(createRequire(import.meta.url).resolve('vitest'));
    for (let i = 0; i < 4; i++) {
      const pj = join(dir, 'package.json');
      if (existsSync(pj)) return readVersion(pj);
      dir = dirname(dir);
    }
  } catch {
    // vitest not resolvable from here (e.g. the report command in a bare checkout)
  }
  return null;
}

export function collectEnvironment(opts: { root?: string; env?: NodeJS.ProcessEnv; seeds?: string[]; startedAt?: string | null } = {}): Environment {
  const env = opts.env ?? process.env;
  const cpuList = cpus();
  return {
    suiteVersion: readVersion(resolve(opts.root ?? process.cwd(), 'package.json')),
    vitestVersion: vitestVersion(),
    nodeVersion: process.version,
    profile: env.BENCH_PROFILE ?? 'quick',
    platform: platform(),
    osRelease: release(),
    arch: arch(),
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpus: cpuList.length,
    memoryBytes: totalmem(),
    seeds: opts.seeds ?? [],
    startedAt: opts.startedAt ?? null,
    ci: env.CI === 'true' || env.GITHUB_ACTIONS === 'true',
  };
}
