/**
 * What a run leaves behind: no simulator process after a passing run or a run interrupted with
 * SIGINT (the failed runs are checked in failing-models.test.ts), and no API key in any file of
 * the run folder or in the console output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  describeRun,
  fileText,
  filesUnder,
  leftoverProcesses,
  processesWithArg,
  runBench,
  runDirOf,
  tempDir,
  waitFor,
  writeModelsFile,
  type BenchRun,
  removeTempDirs,
} from './helpers.ts';

afterAll(removeTempDirs);

const SECRET = 'sk-e2e-Zq7vX3kP9wL2mN8rT4yB';
const secretForms = [SECRET, Buffer.from(SECRET).toString('base64'), encodeURIComponent(SECRET)];

function withApiKeyEnv(dir: string): string {
  return writeModelsFile(dir, (_doc, model) => model('sim-candidate').set('api_key_env', 'E2E_SECRET_KEY'), 'secret.yaml');
}

describe('a passing run of a simulated model that checks its API key', () => {
  let run: BenchRun;
  let modelsFile: string;

  beforeAll(async () => {
    modelsFile = withApiKeyEnv(tempDir());
    run = await runBench({ modelsFile, args: ['--project', 'sim-candidate', 'accuracy', 'token-budget'], env: { E2E_SECRET_KEY: SECRET }, killAfterMs: 120_000 });
  }, 130_000);

  afterAll(async () => {
    for (const p of await leftoverProcesses(modelsFile, 0)) process.kill(p.pid, 'SIGKILL');
  });

  it('passes (the client sent the key the simulator checks)', () => {
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  });

  it('(control) the simulator of that entry rejects a request without the key and accepts one with it', async () => {
    const sim: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/sim/cli.ts'), '--models-file', modelsFile, '--model', 'sim-candidate', '--port', '0', '--api-key-env', 'E2E_SECRET_KEY'],
      { cwd: ROOT, env: { ...process.env, E2E_SECRET_KEY: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        sim.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
        createInterface({ input: sim.stdout! }).on('line', (l) => {
          const m = /^SIM_READY (\S+)/.exec(l);
          if (m) resolve(m[1]!);
        });
      });
      const body = JSON.stringify({ model: 'sim-candidate', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
      const post = (headers: Record<string, string>): Promise<Response> =>
        fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect((await post({})).status).toBe(401);
      expect((await post({ authorization: `Bearer ${SECRET}` })).status).toBe(200);
    } finally {
      sim.kill('SIGKILL');
    }
  }, 30_000);

  it('the key appears in no file of the run folder (gzip included) and not in stdout/stderr', () => {
    const runDir = runDirOf(run);
    const files = filesUnder(runDir);
    // The scan reads what a user would find: reports, records, charts, Vitest's outputs.
    for (const f of ['report.md', 'report.html', 'results.json', 'summary.csv', 'vitest-results.json', 'junit.xml']) expect(files).toContain(join(runDir, f));
    const leaks = files.filter((f) => secretForms.some((s) => fileText(f).includes(s)));
    expect(leaks).toEqual([]);
    for (const s of secretForms) {
      expect(run.stdout.includes(s), 'stdout').toBe(false);
      expect(run.stderr.includes(s), 'stderr').toBe(false);
    }
  });

  it('leaves no simulator running after the passing run', async () => {
    expect(run.code, describeRun(run)).toBe(0);
    expect(await leftoverProcesses(modelsFile)).toEqual([]);
  });
});

describe('a run interrupted with SIGINT mid-test', () => {
  it('leaves no simulator running', async () => {
    const modelsFile = writeModelsFile(tempDir(), () => {}, 'interrupted.yaml');
    let simsMidRun: number[] = [];
    let signalledAt = 0;
    const run = await runBench({
      modelsFile,
      args: ['--project', 'sim-candidate', 'stability'],
      killAfterMs: 90_000,
      onSpawn: (child, reportsDir) => {
        // Interrupt once the soak is sending requests (its records file exists), like Ctrl+C in a
        // terminal: the signal goes to the run's process group.
        const soakStarted = (): boolean =>
          readdirSync(reportsDir).some((d) => existsSync(join(reportsDir, d, 'records', 'sim-candidate--stability--soak.jsonl')));
        waitFor('the soak to start', soakStarted, 60_000)
          .then(() => {
            simsMidRun = processesWithArg(modelsFile).map((p) => p.pid);
            signalledAt = Date.now();
            process.kill(-child.pid!, 'SIGINT');
          })
          .catch(() => {
            /* the run ended first: the assertions below say so */
          });
      },
    });
    try {
      expect(signalledAt, `the run was never interrupted\n${describeRun(run)}`).toBeGreaterThan(0);
      expect(simsMidRun.length, 'a simulator was running when the run was interrupted').toBe(1);
      expect(run.code === 0 && run.signal === null, `an interrupted run must not pass\n${describeRun(run)}`).toBe(false);
      expect(await leftoverProcesses(modelsFile, 2000), describeRun(run)).toEqual([]);
    } finally {
      for (const p of processesWithArg(modelsFile)) process.kill(p.pid, 'SIGKILL');
    }
  }, 120_000);
});
