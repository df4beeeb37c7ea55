/**
 * Endpoints reached through a Unix domain socket (models.yaml `unix_socket`: vLLM `--uds`,
 * llama-server `--host /path.sock`, uvicorn `--uds`). HTTP is the same; only the connection
 * differs, so requests keep their `http://localhost/...` URL (path and Host header) and go
 * through an undici Agent whose connections open the socket file.
 */
import { Agent, type Dispatcher } from 'undici';
import type { Endpoint } from './types.ts';

const shared = new Map<string, Agent>();

/**
 * The dispatcher for the suite's helper requests (health, models, metrics, tokenize) to an
 * endpoint: one shared Agent per socket path, or undefined for TCP (undici's global dispatcher).
 */
export function helperDispatcher(endpoint: Pick<Endpoint, 'unixSocket'>): Dispatcher | undefined {
  const path = endpoint.unixSocket;
  if (path === undefined) return undefined;
  let a = shared.get(path);
  if (!a) {
    a = new Agent({ connect: { socketPath: path } });
    shared.set(path, a);
  }
  return a;
}

/** ` via unix socket <path>` for messages about an endpoint reached through one, else ''. */
export function viaUnixSocket(endpoint: Pick<Endpoint, 'unixSocket'>): string {
  return endpoint.unixSocket === undefined ? '' : ` via unix socket ${endpoint.unixSocket}`;
}

/** How messages name an endpoint: its base URL, and the socket it is reached through. */
export function endpointLabel(endpoint: Pick<Endpoint, 'baseUrl' | 'unixSocket'>): string {
  return endpoint.unixSocket === undefined ? endpoint.baseUrl : `${endpoint.baseUrl} (via unix socket ${endpoint.unixSocket})`;
}
