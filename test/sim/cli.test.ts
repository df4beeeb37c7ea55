import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { parseSimConfig } from '../../src/sim/config.ts';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'src/sim/cli.ts');

function run(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

function exitOf(child: ReturnType<typeof run>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('sim CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const models = join(dir, 'models.yaml');
  writeFileSync(
    models,
    [
      'models:',
      '  - name: sim-candidate',
      '    provider: sim',
      '    served_model_name: sim/candidate-7b',
      '    max_model_len: 2048',
      '    sim: { seed: 7, engine: { step_base_ms: 2 } }',
      '  - name: sim-uds',
      '    provider: sim',
      `    unix_socket: ${join(dir, 'sim.sock')}`,
      '    sim: {}',
      '  - name: sim-bad',
      '    provider: sim',
      '    sim: { engine: { max_num_seqs: 0, step_base_msec: 3 } }',
    ].join('\n'),
  );

  it('prints SIM_READY, serves the entry from models.yaml, and exits on SIGTERM', async () => {
    const child = run(['--models-file', models, '--model', 'sim-candidate', '--port', '0', '--api-key-env', 'SIM_TEST_KEY'], { SIM_TEST_KEY: 'secret-1' });
    const exited = exitOf(child);
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        lines.push(l);
        const m = /^SIM_READY (http:\/\/127\.0\.0\.1:\d+\/v1)$/.exec(l);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (c) => reject(new Error(`exited ${c}`)));
    });
    const r = await fetch(`${url}/models`, { headers: { authorization: 'Bearer secret-1' } });
    const body = (await r.json()) as { data: { id: string; max_model_len: number }[] };
    expect(body.data[0]).toMatchObject({ id: 'sim/candidate-7b', max_model_len: 2048 });
    expect((await fetch(`${url}/models`)).status).toBe(401);
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(stderr).not.toContain('secret-1');
  });

  it.skipIf(process.platform === 'win32')("listens on the entry's unix_socket when no --port is given", async () => {
    const child = run(['--models-file', models, '--model', 'sim-uds']);
    const exited = exitOf(child);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        if (l === 'SIM_READY http://localhost/v1') resolve();
      });
      child.once('exit', (c) => reject(new Error(`exited ${c}`)));
    });
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ socketPath: join(dir, 'sim.sock'), path: '/v1/models' }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body).data[0].id).toBe('sim-uds');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('bad config exits 2 naming the model entry and the fields', async () => {
    const { code, stderr } = await exitOf(run(['--models-file', models, '--model', 'sim-bad', '--port', '0']));
    expect(code).toBe(2);
    expect(stderr).toContain('model "sim-bad"');
    expect(stderr).toContain('sim.engine.max_num_seqs');
    expect(stderr).toContain('sim.engine.step_base_msec: unknown key');
  });

  it('unknown model entry exits 2 and lists the entries', async () => {
    const { code, stderr } = await exitOf(run(['--models-file', models, '--model', 'nope', '--port', '0']));
    expect(code).toBe(2);
    expect(stderr).toContain('no model entry named "nope"');
    expect(stderr).toContain('sim-candidate');
  });
});

describe('parseSimConfig', () => {
  it('fills documented defaults and rejects typos with the field path', () => {
    const c = parseSimConfig({}, 'x');
    expect(c.engine).toMatchObject({ max_num_seqs: 256, max_num_batched_tokens: 2048, prefix_caching: true });
    expect(() => parseSimConfig({ faults: { stall: { duration_s: -1 } } }, 'models.yaml, model "m"')).toThrow(/models\.yaml, model "m"[\s\S]*sim\.faults\.stall\.duration_s/);
    expect(() => parseSimConfig({ output: { natural_tokens_min: 10, natural_tokens_max: 5 } }, 'm')).toThrow(/sim\.output\.natural_tokens_max/);
  });
});
