// Typed messages between the extension host and a webview (GitLens' idea, our own small code): each
// panel declares its messages once, as descriptors that carry their parameter and reply types, and both
// sides use the same descriptors. The host dispatches to typed handlers after checking the parameters
// (a webview is rendering untrusted data, so its messages are checked like any input); every request
// gets a reply or an error, and the webview side gives up on a request after a timeout.

/** Checks that an unknown value has the parameter shape; returns a reason when it does not. */
export type ParamsCheck<P> = (value: unknown) => P | { invalid: string };

export interface CommandType<P> {
  readonly kind: 'command';
  readonly method: string;
  readonly check: ParamsCheck<P>;
}
export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  /** Phantom field carrying the parameter type; never set. */
  readonly _params?: P;
}
export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly check: ParamsCheck<P>;
  /** Phantom field carrying the reply type; never set. */
  readonly _reply?: R;
}

/** Webview -> host, fire and forget. */
export function defineCommand<P>(scope: string, name: string, check: ParamsCheck<P>): CommandType<P> {
  return { kind: 'command', method: `${scope}/${name}`, check };
}
/** Host -> webview, fire and forget. */
export function defineNotification<P>(scope: string, name: string): NotificationType<P> {
  return { kind: 'notification', method: `${scope}/${name}` };
}
/** Webview -> host with a reply. */
export function defineRequest<P, R>(scope: string, name: string, check: ParamsCheck<P>): RequestType<P, R> {
  return { kind: 'request', method: `${scope}/${name}`, check };
}

export interface IpcMessage {
  method: string;
  params?: unknown;
  /** Set on requests and their replies. */
  id?: number;
  /** Set on successful replies. */
  result?: unknown;
  /** Set on failed replies. */
  error?: string;
}

export function isIpcMessage(m: unknown): m is IpcMessage {
  return typeof m === 'object' && m !== null && typeof (m as IpcMessage).method === 'string';
}

// ---------- parameter checks ----------

export const noParams: ParamsCheck<Record<string, never>> = () => ({});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A check for an object whose fields are strings, integers or booleans, each required or optional. */
export function objectCheck<P>(fields: Record<string, 'string' | 'string?' | 'integer' | 'integer?' | 'boolean' | 'boolean?'>, maxString = 4096): ParamsCheck<P> {
  return (value) => {
    if (!isRecord(value)) return { invalid: 'parameters must be an object' };
    const out: Record<string, unknown> = {};
    for (const [name, type] of Object.entries(fields)) {
      const optional = type.endsWith('?');
      const base = optional ? type.slice(0, -1) : type;
      const v = value[name];
      if (v === undefined) {
        if (optional) continue;
        return { invalid: `"${name}" is required` };
      }
      if (base === 'string' && (typeof v !== 'string' || v.length > maxString)) return { invalid: `"${name}" must be a string of at most ${maxString} characters` };
      if (base === 'integer' && !(typeof v === 'number' && Number.isSafeInteger(v))) return { invalid: `"${name}" must be an integer` };
      if (base === 'boolean' && typeof v !== 'boolean') return { invalid: `"${name}" must be true or false` };
      out[name] = v;
    }
    return out as P;
  };
}

function isInvalid(x: unknown): x is { invalid: string } {
  return isRecord(x) && typeof x.invalid === 'string' && Object.keys(x).length === 1;
}

// ---------- host side ----------

type Handler = { kind: 'command' | 'request'; check: ParamsCheck<unknown>; run: (params: unknown) => unknown };

/** The host's dispatcher: typed handlers per descriptor; replies go back through `post`. */
export class IpcHost {
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly post: (m: IpcMessage) => void,
    private readonly onError: (method: string, err: unknown) => void = () => undefined,
  ) {}

  onCommand<P>(type: CommandType<P>, run: (params: P) => void | Promise<void>): this {
    this.handlers.set(type.method, { kind: 'command', check: type.check as ParamsCheck<unknown>, run: run as (p: unknown) => unknown });
    return this;
  }

  onRequest<P, R>(type: RequestType<P, R>, run: (params: P) => R | Promise<R>): this {
    this.handlers.set(type.method, { kind: 'request', check: type.check as ParamsCheck<unknown>, run: run as (p: unknown) => unknown });
    return this;
  }

  notify<P>(type: NotificationType<P>, params: P): void {
    this.post({ method: type.method, params });
  }

  /** Handles one raw message from the webview. Unknown methods and bad parameters are refused, not run. */
  async dispatch(raw: unknown): Promise<void> {
    if (!isIpcMessage(raw)) return;
    const handler = this.handlers.get(raw.method);
    const id = typeof raw.id === 'number' && Number.isSafeInteger(raw.id) ? raw.id : undefined;
    const reply = (m: Omit<IpcMessage, 'method' | 'id'>): void => {
      if (id !== undefined && handler?.kind !== 'command') this.post({ method: raw.method, id, ...m });
    };
    if (!handler) {
      reply({ error: `unknown method ${raw.method}` });
      return;
    }
    const params = handler.check(raw.params ?? {});
    if (isInvalid(params)) {
      reply({ error: `bad parameters for ${raw.method}: ${params.invalid}` });
      this.onError(raw.method, new Error(params.invalid));
      return;
    }
    try {
      const result = await handler.run(params);
      reply({ result: result ?? null });
    } catch (err) {
      reply({ error: err instanceof Error ? err.message : String(err) });
      this.onError(raw.method, err);
    }
  }
}

// ---------- webview side ----------

export class IpcRequestError extends Error {}

/** The webview's side: typed sends, requests with a timeout, notifications to typed listeners. */
export class IpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly listeners = new Map<string, (params: unknown) => void>();

  constructor(
    private readonly post: (m: IpcMessage) => void,
    private readonly timeoutMs = 15_000,
  ) {}

  send<P>(type: CommandType<P>, params: P): void {
    this.post({ method: type.method, params });
  }

  request<P, R>(type: RequestType<P, R>, params: P, timeoutMs = this.timeoutMs): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IpcRequestError(`${type.method}: no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
      this.post({ method: type.method, params, id });
    });
  }

  onNotification<P>(type: NotificationType<P>, listener: (params: P) => void): void {
    this.listeners.set(type.method, listener as (p: unknown) => void);
  }

  /** Handles one message from the host. */
  receive(raw: unknown): void {
    if (!isIpcMessage(raw)) return;
    if (typeof raw.id === 'number') {
      const p = this.pending.get(raw.id);
      if (!p) return;
      this.pending.delete(raw.id);
      clearTimeout(p.timer);
      if (typeof raw.error === 'string') p.reject(new IpcRequestError(raw.error));
      else p.resolve(raw.result);
      return;
    }
    this.listeners.get(raw.method)?.(raw.params);
  }
}
