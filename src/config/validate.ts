/**
 * Rules that need more than one field or the whole file: unique names, baselines that exist,
 * an address for every model, well-formed URLs, the simulator block, secrets kept out of config.
 * Each problem is returned with its path so the loader can point at the line.
 */
import { isAbsolute } from 'node:path';
import type { ConfigErrorCode } from './errors.ts';
import { suggestion } from './errors.ts';
import type { ParsedModelEntry } from './models.ts';

export interface PathIssue {
  path: PropertyKey[];
  code: ConfigErrorCode;
  problem: string;
  expected?: string;
  received?: string;
  hint?: string;
  /** Another place the problem refers to (e.g. the first definition of a duplicate name). */
  related?: PropertyKey[];
}

/** An http(s) URL, or a description of why not. */
export function checkHttpUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme "${url.protocol.replace(':', '')}" is not http or https`;
  if (!url.hostname) return 'the URL has no host';
  return undefined;
}

/** Linux's limit for a Unix socket path (sockaddr_un.sun_path, 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/** A usable Unix socket path, or a description of why not. */
export function checkSocketPath(raw: string): string | undefined {
  if (!isAbsolute(raw)) return 'not an absolute path (it would depend on the directory the suite is started from)';
  const bytes = Buffer.byteLength(raw);
  if (bytes > MAX_SOCKET_PATH_BYTES) return `${bytes} bytes long; Unix socket paths are limited to ${MAX_SOCKET_PATH_BYTES} bytes`;
  return undefined;
}

/** Header names that carry credentials: their values must come from api_key_env, not from the file. */
const SECRET_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'proxy-authorization']);

/**
 * Cross-field checks on parsed (not yet normalised) entries. `entries[i]` is `models[i]` after
 * `defaults:` were merged in.
 */
export function crossCheck(entries: readonly ParsedModelEntry[]): PathIssue[] {
  const issues: PathIssue[] = [];
  const firstIndex = new Map<string, number>();
  entries.forEach((m, i) => {
    const prev = firstIndex.get(m.name);
    if (prev !== undefined) {
      issues.push({
        path: ['models', i, 'name'],
        code: 'DUPLICATE_MODEL',
        problem: `duplicate model name "${m.name}"`,
        hint: `models[${prev}] already uses it; names must be unique (they become Vitest project names)`,
        related: ['models', prev, 'name'],
      });
    } else firstIndex.set(m.name, i);
  });
  const names = [...firstIndex.keys()];

  entries.forEach((m, i) => {
    const at = (...rest: PropertyKey[]): PropertyKey[] => ['models', i, ...rest];
    if (m.baseline !== undefined) {
      if (m.baseline === m.name) {
        issues.push({ path: at('baseline'), code: 'SELF_BASELINE', problem: 'a model cannot be its own baseline', received: JSON.stringify(m.baseline), hint: 'name another model, or remove baseline' });
      } else if (!firstIndex.has(m.baseline)) {
        issues.push({
          path: at('baseline'),
          code: 'UNKNOWN_BASELINE',
          problem: `baseline "${m.baseline}" is not a model in this file`,
          expected: `the name of another model (${names.filter((n) => n !== m.name).join(', ') || 'none defined'})`,
          hint: suggestion(m.baseline, names.filter((n) => n !== m.name), 'models'),
        });
      }
    }

    const isSim = m.provider === 'sim';
    if (m.base_url === undefined && m.port === undefined && m.unix_socket === undefined && !isSim) {
      issues.push({
        path: at(),
        code: 'MISSING_ENDPOINT',
        problem: `model "${m.name}" has neither port nor base_url`,
        expected: 'port (for http://localhost:{port}/v1), base_url, or unix_socket',
        hint: 'add e.g. "port: 8000" for a local server, "base_url: https://host/v1", or "unix_socket: /tmp/vllm.sock" for a server started with --uds',
      });
    }
    if (m.unix_socket !== undefined) {
      const why = checkSocketPath(m.unix_socket);
      if (why) issues.push({ path: at('unix_socket'), code: 'INVALID_VALUE', problem: why, expected: 'an absolute path such as /tmp/vllm.sock', received: JSON.stringify(m.unix_socket) });
      if (m.port !== undefined) {
        issues.push({ path: at('port'), code: 'INVALID_VALUE', problem: `port ${m.port} is not used: requests go through unix_socket ${JSON.stringify(m.unix_socket)}`, hint: 'remove port (or unix_socket, to connect over TCP)' });
      }
      if (m.base_url !== undefined && !checkHttpUrl(m.base_url) && new URL(m.base_url).protocol !== 'http:') {
        issues.push({ path: at('base_url'), code: 'INVALID_URL', problem: 'a Unix socket carries plain HTTP, not https', expected: 'an http URL such as http://localhost/v1', received: JSON.stringify(m.base_url) });
      }
    }
    if (m.base_url !== undefined) {
      const why = checkHttpUrl(m.base_url);
      if (why) {
        issues.push({ path: at('base_url'), code: 'INVALID_URL', problem: why, expected: 'an http(s) URL such as http://localhost:8000/v1', received: JSON.stringify(m.base_url) });
      } else if (m.port !== undefined) {
        const u = new URL(m.base_url);
        const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
        if (port !== m.port) {
          issues.push({
            path: at('port'),
            code: 'INVALID_VALUE',
            problem: `port ${m.port} disagrees with base_url ${JSON.stringify(m.base_url)} (port ${port})`,
            hint: 'base_url wins over port: remove one of them',
          });
        }
      }
    }
    if (m.launch?.ready_url !== undefined) {
      const why = checkHttpUrl(m.launch.ready_url);
      if (why) issues.push({ path: at('launch', 'ready_url'), code: 'INVALID_URL', problem: why, expected: 'an http(s) URL such as http://localhost:8000/health', received: JSON.stringify(m.launch.ready_url) });
    }

    if (isSim && m.sim === undefined) {
      issues.push({ path: at(), code: 'MISSING_SIM_BLOCK', problem: `model "${m.name}" has provider sim but no sim block`, expected: 'a sim: mapping', hint: 'add "sim: {}" for the default simulator, or set provider to your server kind' });
    }
    if (!isSim && m.sim !== undefined) {
      issues.push({ path: at('sim'), code: 'INVALID_VALUE', problem: `sim is only read when provider is sim (provider is ${m.provider})`, hint: 'set "provider: sim" or remove the sim block' });
    }
    if (isSim && m.launch !== undefined) {
      issues.push({ path: at('launch'), code: 'INVALID_VALUE', problem: 'launch is not used with provider sim: the suite starts the simulator itself', hint: 'remove launch, or set provider to your server kind' });
    }

    if (m.api_key_env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.api_key_env)) {
      // Never echo the value: it may be the key itself.
      issues.push({
        path: at('api_key_env'),
        code: 'INVALID_VALUE',
        problem: 'must be the name of an environment variable (letters, digits, _), not the key itself',
        hint: 'e.g. "api_key_env: OPENAI_API_KEY" and export OPENAI_API_KEY=... in your shell; if you pasted a real key here, rotate it',
      });
    }
    for (const header of Object.keys(m.headers ?? {})) {
      if (SECRET_HEADERS.has(header.toLowerCase())) {
        issues.push({
          path: at('headers', header),
          code: 'INVALID_VALUE',
          problem: `the ${header} header carries a credential and must not be written in the config`,
          hint: 'set api_key_env to the name of an environment variable holding the key; the client sends it as a bearer token',
        });
      }
    }

    const modalities = m.modalities ?? [];
    if (modalities.includes('image') && m.endpoint === 'completions') {
      issues.push({ path: at('modalities'), code: 'INVALID_VALUE', problem: 'images need the chat endpoint', hint: 'set "endpoint: chat" or drop image from modalities' });
    }
    if (modalities.includes('image') && (m.task_type === 'text_only' || m.task_type === 'llm')) {
      issues.push({ path: at('modalities'), code: 'INVALID_VALUE', problem: `task_type ${m.task_type} is text-only but modalities include image`, hint: 'set "task_type: vlm" or drop image from modalities' });
    }

    const st = m.benchmarks?.stability;
    if (st?.duration_s !== undefined && st.window_s !== undefined && st.window_s * 2 > st.duration_s) {
      issues.push(windowIssue(at('benchmarks', 'stability', 'window_s'), st.window_s, st.duration_s));
    }
  });
  return issues;
}

/** The first and last windows of a soak must not overlap, or drift compares a window with itself. */
export function windowIssue(path: PropertyKey[], windowS: number, durationS: number): PathIssue {
  return {
    path,
    code: 'INVALID_VALUE',
    problem: `window_s ${windowS} is more than half of duration_s ${durationS}`,
    expected: `at most ${durationS / 2} so the first and last windows do not overlap`,
    hint: 'the older tool compared 5-minute windows of a 30-minute soak (window_s: 300, duration_s: 1800)',
  };
}
