/**
 * `npm run sim -- --port 8000 [--host 127.0.0.1] [--models-file models.yaml --model <name>]
 *   [--config-json '<sim JSON>'] [--served-name x] [--max-model-len n] [--api-key-env VAR]
 *   [--unix-socket PATH]` (listen on a Unix domain socket instead of TCP, like vLLM --uds; a
 *   socket file left by a dead server is replaced). With --models-file and no --port, an entry's
 *   `unix_socket` is listened on.
 *
 * Prints exactly one stdout line `SIM_READY <base url>` once listening (the suite's global setup
 * waits for it). Exit codes: 0 after SIGTERM/SIGINT, 2 for bad arguments or configuration.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parseSimConfig, type SimModelConfig } from './config.ts';
import { startSimServer } from './server.ts';

/** @default 8192 context length when neither the model entry nor --max-model-len gives one. */
export const DEFAULT_MAX_MODEL_LEN = 8192;
/** @default 'sim/model' served name when neither the model entry nor --served-name gives one. */
export const DEFAULT_SERVED_NAME = 'sim/model';

class UsageError extends Error {}

interface Resolved {
  sim: SimModelConfig;
  servedName: string;
  maxModelLen: number;
  baseDir: string;
  /** The model entry's `unix_socket`, when read from a models file. */
  unixSocket?: string;
}

function fromModelsFile(file: string, name: string): { raw: unknown; servedName: string; maxModelLen?: number; where: string; unixSocket?: string } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`Cannot read models file ${file}: ${(e as Error).message}`);
  }
  const models = (doc as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw new UsageError(`${file} has no "models:" list.`);
  const entry = models.find((m: unknown) => (m as { name?: unknown } | null)?.name === name) as Record<string, unknown> | undefined;
  if (!entry) {
    const names = models.map((m: unknown) => String((m as { name?: unknown } | null)?.name)).join(', ');
    throw new UsageError(`${file} has no model entry named "${name}" (entries: ${names}).`);
  }
  const where = `${file}, model "${name}"`;
  const served = entry.served_model_name ?? entry.hf_repo ?? entry.name;
  const out: { raw: unknown; servedName: string; maxModelLen?: number; where: string; unixSocket?: string } = { raw: entry.sim, servedName: String(served), where };
  if (typeof entry.unix_socket === 'string') out.unixSocket = entry.unix_socket;
  if (entry.max_model_len !== undefined) {
    if (!Number.isInteger(entry.max_model_len) || (entry.max_model_len as number) < 2) throw new UsageError(`Invalid max_model_len in ${where}: expected an integer >= 2, got ${JSON.stringify(entry.max_model_len)}.`);
    out.maxModelLen = entry.max_model_len as number;
  }
  return out;
}

function resolveConfig(values: Record<string, string | undefined>): Resolved {
  let raw: unknown = {};
  let servedName = DEFAULT_SERVED_NAME;
  let maxModelLen: number | undefined;
  let where = '--config-json';
  let baseDir = process.cwd();
  let unixSocket: string | undefined;
  if (values['models-file'] !== undefined) {
    if (values.model === undefined) throw new UsageError('--models-file needs --model <name>.');
    const file = resolve(values['models-file']);
    const m = fromModelsFile(file, values.model);
    raw = m.raw;
    servedName = m.servedName;
    maxModelLen = m.maxModelLen;
    where = m.where;
    baseDir = dirname(file);
    unixSocket = m.unixSocket;
  }
  if (values['config-json'] !== undefined) {
    try {
      raw = JSON.parse(values['config-json']);
    } catch (e) {
      throw new UsageError(`--config-json is not valid JSON: ${(e as Error).message}`);
    }
    where = '--config-json';
  }
  if (values['served-name'] !== undefined) servedName = values['served-name'];
  if (values['max-model-len'] !== undefined) {
    const n = Number(values['max-model-len']);
    if (!Number.isInteger(n) || n < 2) throw new UsageError(`--max-model-len must be an integer >= 2, got "${values['max-model-len']}".`);
    maxModelLen = n;
  }
  return { sim: parseSimConfig(raw, where), servedName, maxModelLen: maxModelLen ?? DEFAULT_MAX_MODEL_LEN, baseDir, ...(unixSocket !== undefined ? { unixSocket } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'models-file': { type: 'string' },
      model: { type: 'string' },
      'config-json': { type: 'string' },
      'served-name': { type: 'string' },
      'max-model-len': { type: 'string' },
      'api-key-env': { type: 'string' },
      'unix-socket': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port ?? '8000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${values.port}".`);
  const cfg = resolveConfig(values);
  let apiKey: string | undefined;
  if (values['api-key-env'] !== undefined) {
    apiKey = process.env[values['api-key-env']];
    if (!apiKey) throw new UsageError(`--api-key-env ${values['api-key-env']}: that environment variable is empty or unset.`);
  }
  const server = await startSimServer({
    host: values.host,
    port,
    servedName: cfg.servedName,
    maxModelLen: cfg.maxModelLen,
    sim: cfg.sim,
    baseDir: cfg.baseDir,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(values['unix-socket'] !== undefined ? { socketPath: values['unix-socket'] } : values.port === undefined && cfg.unixSocket !== undefined ? { socketPath: cfg.unixSocket } : {}),
  });
  process.stdout.write(`SIM_READY ${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
    // Do not hang on a stuck client.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`sim: ${msg}\n`);
  const isConfig = e instanceof UsageError || (e as { code?: string }).code === 'SIM_CONFIG_INVALID' || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.exit(isConfig || /answer bank/i.test(msg) ? 2 : 1);
});
