/**
 * Vitest global setup, run once per project (= per model) in the main process: validate the whole
 * configuration, bring the endpoint up (simulator or declared launch command) or check it is
 * reachable, and hand the worker everything it needs. A model that cannot be reached stops the run
 * with exit code 2 in well under 30 s, naming the model and URL: a model that is down is never a pass.
 */
import { join } from 'node:path';
import { ensureRunDir } from '../report/run-dir.ts';
import type { TestProject } from 'vitest/node';
import { checkHealth, listModels } from '../client/client.ts';
import { endpointOf } from '../config/models.ts';
import { formatConfigError, ConfigError } from '../config/errors.ts';
import { loadSuite, type SuiteModel } from './suite.ts';
import { startProcess, stopProcess, waitForLine, tailText, stopAll, type Started } from './processes.ts';
import type { BenchTarget } from './target.ts';
import type { Endpoint } from '../client/types.ts';
import { endpointLabel } from '../client/unix-socket.ts';

/** Exit code for "the suite could not run" (config invalid, endpoint unreachable). */
export const EXIT_CANNOT_RUN = 2;

const HEALTH_DEADLINE_MS = Number(process.env.BENCH_HEALTH_TIMEOUT_MS ?? 10_000);
const SIM_START_DEADLINE_MS = 20_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let started: Started | undefined;
  // The root project (no name) also runs global setups; only model projects bring up endpoints.
  if (!project.name) return async () => {};
  try {
    const suite = loadSuite();
    const model = suite.selected.find((m) => m.entry.name === project.name);
    if (!model) throw new Error(`Vitest project "${project.name}" matches no selected model in ${suite.modelsFile}.`);
    const runDir = ensureRunDir(process.env, suite.root);

    let endpoint = endpointOf(model.entry);
    let origin: BenchTarget['origin'] = 'external';
    if (model.entry.provider === 'sim') {
      ({ started, endpoint } = await startSimulator(suite.root, suite.modelsFile, model, endpoint));
      origin = 'sim';
    } else if (model.entry.launch) {
      started = await launch(model, endpoint, suite.root);
      origin = 'launch';
    } else {
      await ensureReachable(model.entry.name, endpoint, HEALTH_DEADLINE_MS);
    }
    await ensureServed(model.entry.name, endpoint);

    const entry = model.entry;
    const target: BenchTarget = {
      model: entry.name,
      endpoint,
      modalities: entry.modalities,
      taskType: entry.task_type,
      maxModelLen: entry.max_model_len,
      price: entry.price
        ? {
            inputPerMillion: entry.price.input_per_million,
            outputPerMillion: entry.price.output_per_million,
            currency: entry.price.currency,
          }
        : undefined,
      baseline: entry.baseline,
      thresholds: model.thresholds,
      plan: model.plan,
      runDir,
      goldenFile: model.goldenFile,
      origin,
    };
    project.provide('benchTarget', target);
  } catch (err) {
    const message = err instanceof ConfigError ? formatConfigError(err) : err instanceof Error ? err.message : String(err);
    process.stderr.write(`\n[bench] The suite cannot run (model "${project.name}"):\n${message}\n\n`);
    await stopAll();
    process.exit(EXIT_CANNOT_RUN);
  }
  return async () => {
    if (started) await stopProcess(started);
  };
}

async function startSimulator(
  root: string,
  modelsFile: string,
  model: SuiteModel,
  endpoint: Endpoint,
): Promise<{ started: Started; endpoint: Endpoint }> {
  // The simulator runs in its own process: the load generator and a server never share an event loop.
  const started = startProcess(`simulator for model "${model.entry.name}"`, process.execPath, [
    '--import',
    'tsx',
    join(root, 'src/sim/cli.ts'),
    '--models-file',
    modelsFile,
    '--model',
    model.entry.name,
    // unix_socket: the simulator listens there (like vLLM --uds) instead of on a free TCP port.
    ...(endpoint.unixSocket !== undefined ? ['--unix-socket', endpoint.unixSocket] : ['--host', '127.0.0.1', '--port', '0']),
    // A simulated model with api_key_env checks the key like a hosted API would (401 otherwise).
    ...(model.entry.api_key_env ? ['--api-key-env', model.entry.api_key_env] : []),
  ], { cwd: root });
  const m = await waitForLine(started, /^SIM_READY (\S+)/, SIM_START_DEADLINE_MS);
  return { started, endpoint: { ...endpoint, baseUrl: m[1]! } };
}

async function launch(model: SuiteModel, endpoint: Endpoint, root: string): Promise<Started> {
  const spec = model.entry.launch!;
  const label = `launch command of model "${model.entry.name}"`;
  const started = Array.isArray(spec.command)
    ? startProcess(label, spec.command[0]!, spec.command.slice(1), { cwd: spec.cwd ?? root, env: { ...process.env, ...spec.env } })
    : startProcess(label, spec.command, [], { cwd: spec.cwd ?? root, env: { ...process.env, ...spec.env }, shell: true });
  const deadline = Date.now() + spec.timeout_s * 1000;
  const readyUrl = spec.ready_url ?? endpoint.baseUrl;
  let last = '';
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) {
      throw new Error(`${label} exited with code ${started.child.exitCode} before ${readyUrl} answered.${tailText(started)}`);
    }
    const h = await checkHealth(readyUrl, Math.min(5000, Math.max(1, deadline - Date.now())), endpoint);
    if (h.ok) return started;
    last = h.message;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await stopProcess(started);
  throw new Error(`${label} did not answer at ${readyUrl} within launch.timeout_s=${spec.timeout_s} s (last: ${last}).${tailText(started)}`);
}

async function ensureReachable(name: string, endpoint: Endpoint, deadlineMs: number): Promise<void> {
  const h = await checkHealth(endpoint.baseUrl, deadlineMs, endpoint);
  if (!h.ok) {
    throw new Error(
      `Model "${name}" is unreachable at ${endpointLabel(endpoint)}: ${h.message} (after ${Math.round(h.elapsedMs)} ms).\n` +
        `Start the server, fix ${endpoint.unixSocket !== undefined ? 'unix_socket' : 'base_url/port'} in models.yaml, or disable the model (enabled: false).`,
    );
  }
}

async function ensureServed(name: string, endpoint: Endpoint): Promise<void> {
  // llama-server ignores `model`, so only check servers that route by it.
  if (endpoint.provider === 'llamacpp') return;
  const served = await listModels(endpoint);
  if (!served.ok) {
    throw new Error(`Model "${name}": GET ${endpoint.baseUrl}/models failed: ${served.message}`);
  }
  const ids = served.models.map((m) => m.id);
  if (ids.length > 0 && !ids.includes(endpoint.model)) {
    throw new Error(
      `Model "${name}": the server at ${endpointLabel(endpoint)} serves ${ids.map((i) => `"${i}"`).join(', ')}, not "${endpoint.model}". ` +
        `Set served_model_name in models.yaml to one of them.`,
    );
  }
}
