import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, formatConfigError } from '../../src/config/errors.ts';
import { loadModelsConfig, parseModelsConfig } from '../../src/config/load.ts';
import { benchmarksFor, endpointOf } from '../../src/config/models.ts';
import { resolveThresholds } from '../../src/config/thresholds.ts';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../..');

function configError(text: string, file = 'models.yaml'): ConfigError {
  try {
    parseModelsConfig(text, file);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

describe("the older tool's models.yaml", () => {
  const config = loadModelsConfig(join(here, 'fixtures/legacy-models.yaml'));

  test('loads every model with its fields and the localhost base URL from port', () => {
    expect(config.models.map((m) => m.name)).toEqual([
      'Qwen3-VL-8B-Instruct',
      'Qwen2.5-VL-7B-Instruct',
      'Qwen3-30B-A3B-Instruct-2507-FP8',
      'Qwen3-235B-A22B-Instruct-2507-FP8',
    ]);
    const [vl, , llm, flagship] = config.models;
    expect(vl).toMatchObject({ port: 8001, base_url: 'http://localhost:8001/v1', task_type: 'vlm', modalities: ['text', 'image'], quantization: 'BF16', role: 'primary', enabled: true, provider: 'vllm', endpoint: 'chat' });
    expect(llm).toMatchObject({ task_type: 'text_only', modalities: ['text'], quantization: 'FP8' });
    expect(flagship).toMatchObject({ hardware_min: '8xH100-80GB', vram_estimate_gb: 280 });
    expect(endpointOf(vl!)).toEqual({ baseUrl: 'http://localhost:8001/v1', model: 'Qwen/Qwen3-VL-8B-Instruct', kind: 'chat', provider: 'vllm' });
  });

  test('reads the benchmarks block and maps its thresholds', () => {
    expect(config.benchmarks?.concurrency?.concurrencies).toEqual([1, 5, 10, 30, 50]);
    expect(config.benchmarks?.stability?.duration_s).toBe(1800);
    const ids = resolveThresholds(config, 'Qwen2.5-VL-7B-Instruct').map((t) => `${t.id} ${t.op} ${t.fail}`);
    expect(ids).toEqual([
      'accuracy.category_precision.rate >= 0.8',
      'accuracy.entity_recall.rate >= 0.6',
      'latency.ttft.p95 <= 2000',
      'throughput.output_tps.value >= 30',
      'concurrency.success_rate.rate >= 0.95',
      'stability.latency_drift.p95 <= 1.3',
      'token-budget.truncation.rate <= 0.1',
    ]);
  });
});

describe('the shipped models.yaml', () => {
  const config = loadModelsConfig(join(root, 'models.yaml'));

  test('enables exactly the two simulated VLMs, the candidate compared with the baseline', () => {
    const enabled = config.models.filter((m) => m.enabled);
    expect(enabled.map((m) => m.name)).toEqual(['sim-baseline', 'sim-candidate']);
    for (const m of enabled) {
      expect(m.provider).toBe('sim');
      expect(m.modalities).toEqual(['text', 'image']);
      expect(m.price?.currency).toBe('USD');
      expect(m.sim?.persona).toBe('accurate');
    }
    expect(enabled[1]!.baseline).toBe('sim-baseline');
    // The candidate's engine is faster than the baseline's.
    expect(enabled[1]!.sim!.engine.step_base_ms).toBeLessThan(enabled[0]!.sim!.engine.step_base_ms);
  });

  test('keeps the degraded models and the four reference vLLM models disabled', () => {
    const byName = new Map(config.models.map((m) => [m.name, m]));
    const degraded = byName.get('sim-degraded')!;
    expect(degraded.enabled).toBe(false);
    expect(degraded.sim).toMatchObject({ overflow: 'truncate', faults: { error_every: 5, error_statuses: [503, 429] } });
    expect(degraded.sim!.drift.slowdown_per_min).toBeGreaterThan(0);
    expect(byName.get('sim-digit-drift')).toMatchObject({ enabled: false, sim: { persona: 'digit_drift' } });
    const ref = config.models.filter((m) => m.provider === 'vllm');
    expect(ref.map((m) => [m.name, m.port, m.hf_repo, m.enabled])).toEqual([
      ['Qwen3-VL-8B-Instruct', 8001, 'Qwen/Qwen3-VL-8B-Instruct', false],
      ['Qwen2.5-VL-7B-Instruct', 8002, 'Qwen/Qwen2.5-VL-7B-Instruct', false],
      ['Qwen3-30B-A3B-Instruct-2507-FP8', 9001, 'Qwen/Qwen3-30B-A3B-Instruct-2507-FP8', false],
      ['Qwen3-235B-A22B-Instruct-2507-FP8', 9002, 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8', false],
    ]);
  });

  test('its k6-style thresholds resolve, the candidate overriding TTFT with a warn level', () => {
    const base = resolveThresholds(config, 'sim-baseline');
    const cand = resolveThresholds(config, 'sim-candidate');
    expect(base.find((t) => t.id === 'latency.ttft.p95')).toMatchObject({ op: '<=', fail: 2000, source: 'models.yaml#benchmarks.ttft.thresholds.p95_ttft_ms_max' });
    expect(cand.find((t) => t.id === 'latency.ttft.p95')).toMatchObject({ op: '<', fail: 2000, warn: 1000 });
    expect(cand.find((t) => t.id === 'latency.itl.p99')).toMatchObject({ fail: 500, warn: 200 });
  });

  test("carries the older tool's benchmark values", () => {
    const b = config.benchmarks!;
    expect(b.ttft).toEqual({ samples: 5, thresholds: { p95_ttft_ms_max: 2000 } });
    expect(b.throughput).toEqual({ duration_s: 60, thresholds: { tps_min: 30 } });
    expect(b.accuracy?.skip_for_task_type).toEqual(['text_only']);
    expect(b.token_budget?.thresholds?.truncation_rate_max).toBe(0.1);
  });
});

describe('model entry defaults and normalisation', () => {
  test('defaults: applies under every entry; the entry wins and mappings merge', () => {
    const c = parseModelsConfig(
      [
        'defaults:',
        '  provider: openai',
        '  base_url: https://api.example.com/v1/',
        '  api_key_env: EXAMPLE_API_KEY',
        '  headers: { X-Team: bench }',
        'models:',
        '  - name: a',
        '    served_model_name: served-a',
        '  - name: b',
        '    hf_repo: org/b',
        '    headers: { X-Run: nightly }',
        '    endpoint: completions',
      ].join('\n'),
    );
    expect(endpointOf(c.models[0]!)).toEqual({
      baseUrl: 'https://api.example.com/v1',
      model: 'served-a',
      kind: 'chat',
      provider: 'openai',
      apiKeyEnv: 'EXAMPLE_API_KEY',
      headers: { 'X-Team': 'bench' },
    });
    expect(endpointOf(c.models[1]!)).toMatchObject({ model: 'org/b', kind: 'completions', headers: { 'X-Team': 'bench', 'X-Run': 'nightly' } });
  });

  test('modalities imply task_type, and a model without hf_repo is requested by name', () => {
    const c = parseModelsConfig('models:\n  - name: m\n    port: 8000\n    modalities: [text, image]\n');
    expect(c.models[0]).toMatchObject({ task_type: 'vlm', modalities: ['text', 'image'], base_url: 'http://localhost:8000/v1' });
    expect(endpointOf(c.models[0]!).model).toBe('m');
  });

  test('launch gets its 600 s default and per-model benchmarks merge over the global block', () => {
    const c = parseModelsConfig(
      [
        'benchmarks:',
        '  ttft: { samples: 5, thresholds: { p95_ttft_ms_max: 2000 } }',
        'models:',
        '  - name: m',
        '    port: 8000',
        '    launch: { command: [vllm, serve, org/m, --port, "8000"] }',
        '    benchmarks: { ttft: { samples: 50 } }',
      ].join('\n'),
    );
    expect(c.models[0]!.launch).toEqual({ command: ['vllm', 'serve', 'org/m', '--port', '8000'], timeout_s: 600 });
    expect(benchmarksFor(c, 'm').ttft).toEqual({ samples: 50, thresholds: { p95_ttft_ms_max: 2000 } });
  });
});

describe('Unix socket endpoints', () => {
  test('unix_socket alone gives base_url http://localhost/v1 and an endpoint that connects through the socket', () => {
    const c = parseModelsConfig('models:\n  - name: m\n    hf_repo: org/m\n    unix_socket: /tmp/vllm.sock\n');
    expect(c.models[0]!.base_url).toBe('http://localhost/v1');
    expect(endpointOf(c.models[0]!)).toEqual({ baseUrl: 'http://localhost/v1', unixSocket: '/tmp/vllm.sock', model: 'org/m', kind: 'chat', provider: 'vllm' });
  });

  test('a base_url next to unix_socket gives the path prefix and Host header', () => {
    const c = parseModelsConfig('models:\n  - name: m\n    unix_socket: /run/llama.sock\n    base_url: http://llama/api/v1\n    provider: llamacpp\n');
    expect(endpointOf(c.models[0]!)).toMatchObject({ baseUrl: 'http://llama/api/v1', unixSocket: '/run/llama.sock' });
  });
});

describe('malformed configs give precise errors', () => {
  const cases: {
    name: string;
    yaml: string;
    code: ConfigError['code'];
    line: number;
    column: number;
    field: string;
    message: string;
    expected?: string;
    hint?: string;
  }[] = [
    {
      name: 'a typo in a model key',
      yaml: 'models:\n  - name: a\n    port: 8000\n  - name: b\n    port: 8001\n  - name: c\n    port: 8002\n    max_modle_len: 4096\n',
      code: 'UNKNOWN_KEY',
      line: 8,
      column: 5,
      field: 'models[2].max_modle_len',
      message: 'models.yaml:8:5 models[2].max_modle_len: unknown key; did you mean "max_model_len"?',
      hint: 'did you mean "max_model_len"?',
    },
    {
      name: 'a string where a number belongs',
      yaml: 'models:\n  - name: a\n    port: 8000\n    max_model_len: lots\n',
      code: 'INVALID_TYPE',
      line: 4,
      column: 20,
      field: 'models[0].max_model_len',
      message: 'models.yaml:4:20 models[0].max_model_len: wrong type; expected a number, got "lots"',
      expected: 'a number',
    },
    {
      name: 'an unknown provider',
      yaml: 'models:\n  - name: a\n    port: 8000\n    provider: vlm\n',
      code: 'INVALID_VALUE',
      line: 4,
      column: 15,
      field: 'models[0].provider',
      message: 'got "vlm"; did you mean "vllm"?',
      hint: 'did you mean "vllm"?',
    },
    {
      name: 'broken YAML',
      yaml: 'models:\n  - name: a\n    port: 8000\n    notes: [unclosed\n',
      code: 'YAML_SYNTAX',
      line: 5,
      column: 1,
      field: '',
      message: 'models.yaml:5:1 YAML syntax error',
      hint: 'check indentation (spaces, not tabs), quotes and colons on this line',
    },
    {
      name: 'a key given twice',
      yaml: 'models:\n  - name: a\n    port: 8000\n    port: 8001\n',
      code: 'YAML_SYNTAX',
      line: 4,
      column: 5,
      field: '',
      message: 'models.yaml:4:5 duplicate key in the same mapping',
    },
    {
      name: 'two models with one name',
      yaml: 'models:\n  - name: a\n    port: 8000\n  - name: a\n    port: 8001\n',
      code: 'DUPLICATE_MODEL',
      line: 4,
      column: 11,
      field: 'models[1].name',
      message: 'duplicate model name "a"',
      hint: 'models[0] already uses it; names must be unique (they become Vitest project names) (see line 2)',
    },
    {
      name: 'a baseline that does not exist',
      yaml: 'models:\n  - name: alpha\n    port: 8000\n  - name: beta\n    port: 8001\n    baseline: alpah\n',
      code: 'UNKNOWN_BASELINE',
      line: 6,
      column: 15,
      field: 'models[1].baseline',
      message: 'baseline "alpah" is not a model in this file',
      expected: 'the name of another model (alpha)',
      hint: 'did you mean "alpha"?',
    },
    {
      name: 'a model that is its own baseline',
      yaml: 'models:\n  - name: alpha\n    port: 8000\n    baseline: alpha\n',
      code: 'SELF_BASELINE',
      line: 4,
      column: 15,
      field: 'models[0].baseline',
      message: 'a model cannot be its own baseline',
    },
    {
      name: 'neither port nor base_url',
      yaml: 'models:\n  - name: alpha\n    hf_repo: org/alpha\n',
      code: 'MISSING_ENDPOINT',
      line: 2,
      column: 5,
      field: 'models[0]',
      message: 'model "alpha" has neither port nor base_url',
      expected: 'port (for http://localhost:{port}/v1), base_url, or unix_socket',
    },
    {
      name: 'a relative Unix socket path',
      yaml: 'models:\n  - name: alpha\n    unix_socket: run/vllm.sock\n',
      code: 'INVALID_VALUE',
      line: 3,
      column: 18,
      field: 'models[0].unix_socket',
      message: 'not an absolute path',
      expected: 'an absolute path such as /tmp/vllm.sock',
    },
    {
      name: 'a Unix socket path over the kernel limit',
      yaml: `models:\n  - name: alpha\n    unix_socket: /tmp/${'s'.repeat(110)}.sock\n`,
      code: 'INVALID_VALUE',
      line: 3,
      column: 18,
      field: 'models[0].unix_socket',
      message: '120 bytes long; Unix socket paths are limited to 107 bytes',
    },
    {
      name: 'a port next to a Unix socket',
      yaml: 'models:\n  - name: alpha\n    unix_socket: /tmp/vllm.sock\n    port: 8000\n',
      code: 'INVALID_VALUE',
      line: 4,
      column: 11,
      field: 'models[0].port',
      message: 'port 8000 is not used: requests go through unix_socket "/tmp/vllm.sock"',
      hint: 'remove port (or unix_socket, to connect over TCP)',
    },
    {
      name: 'https through a Unix socket',
      yaml: 'models:\n  - name: alpha\n    unix_socket: /tmp/vllm.sock\n    base_url: https://localhost/v1\n',
      code: 'INVALID_URL',
      line: 4,
      column: 15,
      field: 'models[0].base_url',
      message: 'a Unix socket carries plain HTTP, not https',
    },
    {
      name: 'a base URL without a scheme',
      yaml: 'models:\n  - name: alpha\n    base_url: localhost:8000/v1\n',
      code: 'INVALID_URL',
      line: 3,
      column: 15,
      field: 'models[0].base_url',
      message: 'scheme "localhost" is not http or https',
      expected: 'an http(s) URL such as http://localhost:8000/v1',
    },
    {
      name: 'provider sim without a sim block',
      yaml: 'models:\n  - name: alpha\n    provider: sim\n',
      code: 'MISSING_SIM_BLOCK',
      line: 2,
      column: 5,
      field: 'models[0]',
      message: 'has provider sim but no sim block',
      hint: 'add "sim: {}" for the default simulator, or set provider to your server kind',
    },
    {
      name: 'a typo inside the sim block',
      yaml: 'models:\n  - name: alpha\n    provider: sim\n    sim:\n      engine:\n        max_num_seq: 4\n',
      code: 'UNKNOWN_KEY',
      line: 6,
      column: 9,
      field: 'models[0].sim.engine.max_num_seq',
      message: 'unknown key; did you mean "max_num_seqs"?',
    },
    {
      name: 'a misspelled legacy threshold key',
      yaml: 'benchmarks:\n  ttft:\n    thresholds:\n      p95_ttft_max: 2000\nmodels:\n  - name: alpha\n    port: 8000\n',
      code: 'UNKNOWN_KEY',
      line: 4,
      column: 7,
      field: 'benchmarks.ttft.thresholds.p95_ttft_max',
      message: 'did you mean "p95_ttft_ms_max"?',
    },
    {
      name: 'an unknown metric in k6 thresholds',
      yaml: 'thresholds:\n  tfft: ["p(95) < 2000"]\nmodels:\n  - name: alpha\n    port: 8000\n',
      code: 'UNKNOWN_METRIC',
      line: 2,
      column: 3,
      field: 'thresholds.tfft',
      message: 'unknown metric "tfft"',
      hint: 'did you mean "ttft"?',
    },
    {
      name: 'a rate written as a percentage',
      yaml: 'models:\n  - name: alpha\n    port: 8000\n    thresholds:\n      errors: ["rate < 5"]\n',
      code: 'INVALID_THRESHOLD',
      line: 5,
      column: 16,
      field: 'models[0].thresholds.errors[0]',
      message: 'limit 5 is out of range for error rate; expected a fraction between 0 and 1, got "rate < 5"',
      hint: 'rates are fractions: 5% is 0.05',
    },
    {
      name: 'a warn level looser than the fail level',
      yaml: 'thresholds:\n  - { fail: "p(95)(ttft) < 2000", warn: "p(95)(ttft) < 3000" }\nmodels:\n  - name: alpha\n    port: 8000\n',
      code: 'INVALID_THRESHOLD',
      line: 2,
      column: 41,
      field: 'thresholds[0].warn',
      message: 'warn level 3000 is not stricter than the fail level 2000',
      expected: 'a warn level below 2000',
    },
    {
      name: 'a bad value in defaults',
      yaml: 'defaults:\n  endpoint: chatt\nmodels:\n  - name: a\n    port: 8000\n  - name: b\n    port: 8001\n',
      code: 'INVALID_VALUE',
      line: 2,
      column: 13,
      field: 'defaults.endpoint',
      message: 'expected one of "chat", "completions", got "chatt"; did you mean "chat"?',
    },
    {
      name: 'a stability window longer than half the soak',
      yaml: 'benchmarks:\n  stability:\n    duration_s: 600\n    window_s: 400\nmodels:\n  - name: alpha\n    port: 8000\n',
      code: 'INVALID_VALUE',
      line: 4,
      column: 15,
      field: 'benchmarks.stability.window_s',
      message: 'window_s 400 is more than half of duration_s 600',
      expected: 'at most 300 so the first and last windows do not overlap',
    },
    {
      name: 'a top-level typo',
      yaml: 'model:\n  - name: a\n    port: 8000\n',
      code: 'UNKNOWN_KEY',
      line: 1,
      column: 1,
      field: 'model',
      message: 'did you mean "models"?',
    },
    {
      name: 'images on the completions endpoint',
      yaml: 'models:\n  - name: a\n    port: 8000\n    endpoint: completions\n    modalities: [text, image]\n',
      code: 'INVALID_VALUE',
      line: 5,
      column: 17,
      field: 'models[0].modalities',
      message: 'images need the chat endpoint',
      hint: 'set "endpoint: chat" or drop image from modalities',
    },
  ];

  test.each(cases)('$name', (c) => {
    const err = configError(c.yaml);
    const issue = err.issues.find((i) => i.field === c.field && i.code === c.code);
    expect(issue, `issues were:\n${formatConfigError(err)}`).toBeDefined();
    expect({ file: issue!.file, line: issue!.line, column: issue!.column }).toEqual({ file: 'models.yaml', line: c.line, column: c.column });
    if (c.expected !== undefined) expect(issue!.expected).toBe(c.expected);
    if (c.hint !== undefined) expect(issue!.hint).toBe(c.hint);
    expect(formatConfigError(err)).toContain(c.message);
    expect(formatConfigError(err)).toContain(`models.yaml:${c.line}:${c.column} `);
  });

  test('the error spreads its first issue and reports every problem at once', () => {
    const err = configError('models:\n  - name: a\n    prot: 8000\n  - name: a\n    port: x\n');
    expect(err.message).toBe('models.yaml:3:5 models[0].prot: unknown key; did you mean "port"? (and 1 more problem)');
    expect(err).toMatchObject({ code: 'UNKNOWN_KEY', line: 3, column: 5, field: 'models[0].prot', hint: 'did you mean "port"?' });
    expect(err.issues.map((i) => `${i.line}:${i.code}`)).toEqual(['3:UNKNOWN_KEY', '5:INVALID_TYPE']);
  });

  test('an API key pasted into api_key_env is rejected without being echoed', () => {
    const secret = 'sk-proj-0123456789abcdefABCDEF';
    const err = configError(`models:\n  - name: a\n    port: 8000\n    api_key_env: ${secret}\n`);
    expect(err.field).toBe('models[0].api_key_env');
    expect(formatConfigError(err)).not.toContain(secret);
    expect(err.message).not.toContain(secret);
  });
});

describe('loading from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file names the path and how to point at another', () => {
    const missing = join(dir, 'nope.yaml');
    let err: unknown;
    try {
      loadModelsConfig(missing);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'FILE_NOT_FOUND', hint: 'run from the project root, or point BENCH_MODELS_FILE at your models file' });
    expect((err as ConfigError).message).toContain(missing);
  });

  test('errors name the file they came from', () => {
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'models:\n  - name: a\n    port: 70000\n');
    expect(() => loadModelsConfig(file)).toThrow(`${file}:3:11 models[0].port: too large; expected a number <= 65535, got number 70000`);
  });
});
