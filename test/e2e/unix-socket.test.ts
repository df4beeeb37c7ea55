/**
 * Models reached through a Unix domain socket (`unix_socket` in models.yaml): a vLLM-compatible
 * server started by a launch command with `--uds`-style listening (the simulator's CLI), and a
 * simulated model the suite itself starts on a socket. Both are benchmarked in one real run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { YAMLSeq } from 'yaml';
import { describeRun, removeTempDirs, runBench, runDirOf, tempDir, writeModelsFile, type BenchRun } from './helpers.ts';

describe.skipIf(process.platform === 'win32')('models behind Unix sockets', () => {
  let run: BenchRun;
  let launchedSock: string;
  let simSock: string;

  beforeAll(async () => {
    const dir = tempDir('bench-e2e-uds-');
    launchedSock = join(dir, 'vllm.sock');
    simSock = join(dir, 'sim.sock');
    const modelsFile = writeModelsFile(dir, (doc) => {
      const models = doc.get('models') as YAMLSeq;
      models.add(
        doc.createNode({
          name: 'uds-launched',
          provider: 'vllm',
          unix_socket: launchedSock,
          served_model_name: 'uds/launched',
          max_model_len: 8192,
          launch: {
            command: [process.execPath, '--import', 'tsx', 'src/sim/cli.ts', '--unix-socket', launchedSock, '--served-name', 'uds/launched', '--max-model-len', '8192', '--config-json', '{"seed":1}'],
            timeout_s: 30,
          },
        }),
      );
      models.add(doc.createNode({ name: 'uds-sim', provider: 'sim', unix_socket: simSock, max_model_len: 8192, sim: { seed: 2 } }));
    });
    run = await runBench({ modelsFile, args: ['--project', 'uds-launched', '--project', 'uds-sim', 'throughput'], killAfterMs: 150_000 });
  }, 160_000);

  afterAll(() => removeTempDirs());

  it('benchmarks both through their sockets and exits 0', () => {
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/^4 passed, 0 failed/m);
  });

  it('names the sockets in the report', () => {
    const md = readFileSync(join(runDirOf(run), 'report.md'), 'utf8');
    expect(md).toContain(`http://localhost/v1 via unix socket ${launchedSock}`);
    expect(md).toContain(`http://localhost/v1 via unix socket ${simSock}`);
  });

  it('leaves no socket file behind', () => {
    expect(existsSync(launchedSock)).toBe(false);
    expect(existsSync(simSock)).toBe(false);
  });
});
