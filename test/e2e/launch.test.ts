/**
 * A model with a `launch` command: the global setup starts the server, waits for its ready URL,
 * benchmarks it, and stops exactly the process it started (by its own process group, never by
 * name). The "server" here is the simulator started as a plain vLLM-compatible command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { YAMLSeq } from 'yaml';
import { describeRun, leftoverProcesses, processesWithArg, removeTempDirs, runBench, tempDir, writeModelsFile, type BenchRun } from './helpers.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('launch command', () => {
  const servedName = `launched-${randomBytes(4).toString('hex')}`;
  let run: BenchRun;
  let aliveDuringRun = 0;

  beforeAll(async () => {
    const port = await freePort();
    const modelsFile = writeModelsFile(tempDir(), (doc) => {
      (doc.get('models') as YAMLSeq).add(
        doc.createNode({
          name: 'launched',
          provider: 'vllm',
          base_url: `http://127.0.0.1:${port}/v1`,
          served_model_name: servedName,
          max_model_len: 8192,
          launch: {
            command: [process.execPath, '--import', 'tsx', 'src/sim/cli.ts', '--host', '127.0.0.1', '--port', String(port), '--served-name', servedName, '--max-model-len', '8192', '--config-json', '{"seed":1}'],
            ready_url: `http://127.0.0.1:${port}/health`,
            timeout_s: 30,
          },
        }),
      );
    });
    run = await runBench({
      modelsFile,
      args: ['--project', 'launched', 'throughput'],
      killAfterMs: 120_000,
      onSpawn: () => {
        const timer = setInterval(() => {
          aliveDuringRun = Math.max(aliveDuringRun, processesWithArg(servedName).length);
        }, 200);
        timer.unref();
      },
    });
  }, 130_000);

  afterAll(() => removeTempDirs());

  it('starts the declared command, benchmarks it and exits 0', () => {
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/^2 passed, 0 failed/m);
    expect(aliveDuringRun).toBe(1);
  });

  it('stops the process it launched', async () => {
    expect(await leftoverProcesses(servedName)).toEqual([]);
  });
});
